package org.streamasr.api.http;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.streamasr.api.ApiError;

/**
 * {@code Authorization: Key <key>} checking ({@code Bearer} for OpenAI's clients, {@code Token} for Deepgram's). Keys are held as SHA-256 digests and compared in constant time; a
 * request's owner is a short fingerprint of its key, so queue requests are only visible to the key that made them.
 */
public final class ApiKeys {
    private final List<byte[]> digests = new ArrayList<>();
    private final boolean open;

    public ApiKeys(Set<String> keys, boolean open) {
        for (String k : keys) digests.add(sha256(k));
        this.open = open;
    }

    /**
     * The caller's owner fingerprint (null when the API is open without keys).
     *
     * @throws ApiError 401 saying what is missing
     */
    String authenticate(String authorization) throws ApiError {
        if (digests.isEmpty()) {
            if (open) return null;
            throw ApiError.plain(401, "unauthorized", "this server has no API keys configured: set asr.api.keys in the "
                    + "config or the environment variable ASR_API_KEYS (comma-separated), then send "
                    + "'Authorization: Key <key>'; or set asr.api.open = true to serve without keys");
        }
        String key = parse(authorization);
        if (key == null) {
            throw ApiError.plain(401, "unauthorized", "missing API key: send the header 'Authorization: Key <key>'");
        }
        byte[] d = sha256(key);
        boolean match = false;
        for (byte[] k : digests) match |= MessageDigest.isEqual(k, d);
        if (!match) throw ApiError.plain(401, "unauthorized", "invalid API key");
        return HexFormat.of().formatHex(d, 0, 8);
    }

    /**
     * For protocols that carry the key elsewhere (a WebSocket subprotocol): whether {@code key} is accepted; with no
     * keys configured, whether the API is open.
     */
    public boolean accepts(String key) {
        if (digests.isEmpty()) return open;
        if (key == null || key.isEmpty()) return false;
        byte[] d = sha256(key);
        boolean match = false;
        for (byte[] k : digests) match |= MessageDigest.isEqual(k, d);
        return match;
    }

    /** The key of an {@code Authorization} header ({@code Key}, {@code Bearer} or {@code Token} scheme), or null. */
    public static String keyOf(String authorization) {
        return parse(authorization);
    }

    private static String parse(String header) {
        if (header == null) return null;
        String h = header.trim();
        int sp = h.indexOf(' ');
        if (sp <= 0) return null;
        String scheme = h.substring(0, sp).toLowerCase(Locale.ROOT);
        if (!scheme.equals("key") && !scheme.equals("bearer") && !scheme.equals("token")) return null;
        String key = h.substring(sp + 1).trim();
        return key.isEmpty() ? null : key;
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
