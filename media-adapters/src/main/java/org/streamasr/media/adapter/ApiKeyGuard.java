package org.streamasr.media.adapter;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.List;

/**
 * A connection must carry one of the server's API keys, in whichever form its media server can send: a query
 * parameter ({@code ?key=}, {@code ?api_key=} or {@code ?token=}: Jicofo's transcriber URL template, Jigasi's Vosk
 * websocket_url, any URL-only client), or a header ({@code Authorization: Bearer KEY}, {@code Authorization: Basic}
 * with the key as password, as mod_audio_fork's MOD_AUDIO_BASIC_AUTH_* and jambonz's wsAuth send it, or
 * {@code X-Api-Key}). Keys are compared in constant time.
 */
public final class ApiKeyGuard implements ConnectionGuard {
    private final List<byte[]> keys;

    public ApiKeyGuard(List<String> keys) {
        if (keys.isEmpty()) throw new IllegalArgumentException("an API key guard needs keys");
        this.keys = keys.stream().map(k -> k.getBytes(StandardCharsets.UTF_8)).toList();
    }

    @Override
    public String refusal(ConnectionInfo c) {
        String offered = offered(c);
        if (offered == null) return "no API key (?key=, Authorization: Bearer/Basic or X-Api-Key)";
        return matches(offered) ? null : "wrong API key";
    }

    private static String offered(ConnectionInfo c) {
        String q = c.firstQueryParameter("key", "api_key", "token");
        if (q != null) return q;
        String header = c.header("X-Api-Key");
        if (header != null) return header.trim();
        String auth = c.header("Authorization");
        if (auth == null) return null;
        auth = auth.trim();
        if (auth.regionMatches(true, 0, "Bearer ", 0, 7)) return auth.substring(7).trim();
        if (auth.regionMatches(true, 0, "Basic ", 0, 6)) {
            try {
                String pair = new String(Base64.getDecoder().decode(auth.substring(6).trim()), StandardCharsets.UTF_8);
                int colon = pair.indexOf(':');
                return colon < 0 ? pair : pair.substring(colon + 1);
            } catch (IllegalArgumentException e) {
                return null;
            }
        }
        return null;
    }

    private boolean matches(String offered) {
        byte[] b = offered.getBytes(StandardCharsets.UTF_8);
        boolean ok = false;
        for (byte[] k : keys) ok |= MessageDigest.isEqual(k, b);
        return ok;
    }
}
