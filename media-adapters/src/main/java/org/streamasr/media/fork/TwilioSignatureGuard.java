package org.streamasr.media.fork;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.streamasr.media.adapter.ConnectionGuard;
import org.streamasr.media.adapter.ConnectionInfo;

/**
 * Twilio's request validation for a Media Streams WebSocket: the upgrade carries {@code X-Twilio-Signature}, the
 * base64 HMAC-SHA1, keyed with the account's auth token, of the full URL Twilio connected to (a WebSocket upgrade
 * has no POST parameters to append). That URL is the {@code <Stream url>}: rebuilt here from the public URL when one
 * is configured, else from the Host header, with {@code wss} (Twilio streams only to wss) and {@code ws} tried both.
 */
public final class TwilioSignatureGuard implements ConnectionGuard {
    public static final String HEADER = "X-Twilio-Signature";

    private final List<byte[]> authTokens;
    private final String publicBase;

    /**
     * @param authTokens the account auth tokens whose signatures are accepted
     * @param publicBase the server's public URL (e.g. https://asr.example.org), or null: the Host header
     */
    public TwilioSignatureGuard(List<String> authTokens, String publicBase) {
        if (authTokens.isEmpty()) throw new IllegalArgumentException("a Twilio guard needs an auth token");
        this.authTokens = authTokens.stream().map(t -> t.getBytes(StandardCharsets.UTF_8)).toList();
        this.publicBase = publicBase == null ? null : publicBase.replaceFirst("/+$", "");
    }

    @Override
    public String refusal(ConnectionInfo c) {
        String signature = c.header(HEADER);
        if (signature == null) return "no " + HEADER;
        byte[] offered = signature.trim().getBytes(StandardCharsets.US_ASCII);
        for (String url : candidateUrls(c)) {
            for (byte[] token : authTokens) {
                if (MessageDigest.isEqual(sign(token, url).getBytes(StandardCharsets.US_ASCII), offered)) return null;
            }
        }
        return "bad " + HEADER;
    }

    /** Base64 HMAC-SHA1 of {@code url} keyed with {@code authToken}: Twilio's algorithm (no POST parameters). */
    public static String sign(byte[] authToken, String url) {
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(authToken, "HmacSHA1"));
            return Base64.getEncoder().encodeToString(mac.doFinal(url.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("no HmacSHA1 in this JVM", e);
        }
    }

    private List<String> candidateUrls(ConnectionInfo c) {
        String pathAndQuery = c.path() + query(c.query());
        List<String> out = new ArrayList<>();
        if (publicBase != null) {
            String hostPart = publicBase.replaceFirst("^[a-zA-Z]+://", "");
            out.add("wss://" + hostPart + pathAndQuery);
            out.add("ws://" + hostPart + pathAndQuery);
        }
        String host = c.header("Host");
        if (host != null) {
            out.add("wss://" + host + pathAndQuery);
            out.add("ws://" + host + pathAndQuery);
        }
        return out;
    }

    private static String query(Map<String, List<String>> q) {
        if (q.isEmpty()) return "";
        StringBuilder b = new StringBuilder();
        for (Map.Entry<String, List<String>> e : q.entrySet()) {
            for (String v : e.getValue()) {
                b.append(b.length() == 0 ? '?' : '&').append(e.getKey());
                if (v != null && !v.isEmpty()) b.append('=').append(v);
            }
        }
        return b.toString();
    }
}
