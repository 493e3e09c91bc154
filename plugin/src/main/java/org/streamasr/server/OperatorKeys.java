package org.streamasr.server;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import org.glassfish.grizzly.http.server.Request;

/**
 * The API keys that guard the operator endpoints (/v1/calls). With none configured the endpoints are open, which
 * suits a server that only listens on a private network; set asr.server.api-keys (ASR_API_KEYS) otherwise.
 * Clients send {@code Authorization: Bearer KEY} (or {@code Key KEY}, the hosted API's scheme).
 */
final class OperatorKeys {
    private final List<byte[]> keys;

    OperatorKeys(List<String> keys) {
        this.keys = keys.stream().map(k -> k.getBytes(StandardCharsets.UTF_8)).toList();
    }

    boolean required() {
        return !keys.isEmpty();
    }

    boolean allows(Request request) {
        if (keys.isEmpty()) return true;
        String header = request.getHeader("Authorization");
        if (header == null) return false;
        // "Key KEY" too: the hosted API on the same port takes fal's scheme, and one key serves both
        String given = header.regionMatches(true, 0, "Bearer ", 0, 7) ? header.substring(7).strip()
                : header.regionMatches(true, 0, "Key ", 0, 4) ? header.substring(4).strip() : header.strip();
        byte[] g = given.getBytes(StandardCharsets.UTF_8);
        boolean ok = false;
        for (byte[] k : keys) ok |= MessageDigest.isEqual(k, g);
        return ok;
    }
}
