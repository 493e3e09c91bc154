package org.streamasr.server;

import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.streamasr.media.jigasi.JwtVerifier;
import org.streamasr.media.jigasi.WhisperConfig;

/**
 * Reads {@code asr.media.whisper} (documented in reference.conf): the Jigasi Whisper/Skynet endpoint and the keys its
 * JSON Web Tokens are checked with. Enabled without any key it refuses to start unless {@code open} says explicitly
 * that connections need no token; every key is loaded and checked here, so a wrong path or a malformed key stops the
 * server with its key named instead of refusing every Jigasi later.
 */
final class WhisperConfigReader {
    private static final String P = "asr.media.whisper.";
    private static final String JWT = P + "jwt.";
    private static final int MIN_SECRET_BYTES = 32;     // RFC 7518 3.2: an HS256 key is at least the hash size
    private static final int MIN_RSA_BITS = 2048;
    private static final List<String> MATERIAL = List.of("secret", "secret-file", "public-key", "public-key-file");
    private static final Set<String> ENTRY_FIELDS = Set.of("kid", "secret", "secret-file", "public-key", "public-key-file");

    private WhisperConfigReader() {
    }

    static WhisperConfig read(ConfigReader r) {
        Map<String, PublicKey> rsa = new LinkedHashMap<>();
        Map<String, byte[]> hmac = new LinkedHashMap<>();
        Map<String, String> anyKid = new LinkedHashMap<>();
        for (String f : MATERIAL) {
            String v = r.optionalString(JWT + f);
            if (v != null) anyKid.put(f, v.strip());
        }
        addKey("", JWT.substring(0, JWT.length() - 1), rsa, hmac, anyKid, false);
        List<? extends ConfigObject> entries = r.objectList(JWT + "keys");
        for (int i = 0; i < entries.size(); i++) {
            String label = JWT + "keys[" + i + "]";
            Map<String, String> fields = fields(entries.get(i), label);
            String kid = fields.get("kid");
            if (kid == null) throw new InvalidConfigException(label + ".kid", "each entry of keys needs a kid");
            if (rsa.containsKey(kid) || hmac.containsKey(kid)) throw new InvalidConfigException(label + ".kid", "kid '" + kid + "' given twice");
            addKey(kid, label, rsa, hmac, fields, true);
        }
        boolean open = r.bool(P + "open");
        boolean keys = !rsa.isEmpty() || !hmac.isEmpty();
        if (open && keys) {
            throw new InvalidConfigException(P + "open", "true while JWT keys are configured under " + JWT
                    + "*: either check tokens (remove open) or accept any connection (remove the keys)");
        }
        if (!open && !keys) {
            throw new InvalidConfigException(P.substring(0, P.length() - 1), "enabled without a key to check Jigasi's"
                    + " tokens with: set jwt.public-key-file (Jigasi's whisper.private_key, RS256) or jwt.secret (HS256)"
                    + " (env ASR_WHISPER_JWT_PUBLIC_KEY_FILE, ASR_WHISPER_JWT_SECRET), or open = true to accept"
                    + " connections without a token");
        }
        JwtVerifier verifier = keys ? new JwtVerifier(rsa, hmac, r.optionalString(JWT + "audience"),
                r.optionalString(JWT + "issuer"), r.durationIn(JWT + "leeway", Duration.ZERO, Duration.ofHours(1))) : null;
        return AdapterConfigReader.checked("whisper", () -> new WhisperConfig(AdapterConfigReader.paths(r, "whisper"), verifier,
                open, r.intIn(P + "max-participants", 1, 10_000), r.doubleIn(P + "interim-variance", 0, 1),
                AdapterConfigReader.limits(r, "whisper")));
    }

    /** A keys entry as text fields; unknown fields and non-text values are refused by name. */
    private static Map<String, String> fields(ConfigObject entry, String label) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, ConfigValue> f : entry.entrySet()) {
            String key = label + "." + f.getKey();
            if (!ENTRY_FIELDS.contains(f.getKey())) {
                throw new InvalidConfigException(key, "unknown field; an entry has kid and one of secret, secret-file, "
                        + "public-key, public-key-file");
            }
            ConfigValueType type = f.getValue().valueType();
            if (type == ConfigValueType.NULL) continue;
            if (type != ConfigValueType.STRING) throw new InvalidConfigException(key, "must be a string");
            String v = ((String) f.getValue().unwrapped()).strip();
            if (!v.isEmpty()) out.put(f.getKey(), v);
        }
        return out;
    }

    /** Adds the one key {@code fields} give (under {@code kid}; "" = any kid); none is fine unless {@code required}. */
    private static void addKey(String kid, String label, Map<String, PublicKey> rsa, Map<String, byte[]> hmac,
                               Map<String, String> fields, boolean required) {
        List<String> given = MATERIAL.stream().filter(f -> fields.get(f) != null).toList();
        if (given.size() > 1) {
            throw new InvalidConfigException(label + "." + given.get(1), "give one of " + String.join(", ", given)
                    + (kid.isEmpty() ? "; more keys go in jwt.keys, each with its kid" : ""));
        }
        if (given.isEmpty()) {
            if (required) throw new InvalidConfigException(label, "no secret, secret-file, public-key or public-key-file");
            return;
        }
        String field = given.get(0);
        String key = label + "." + field;
        String v = fields.get(field);
        switch (field) {
            case "secret" -> hmac.put(kid, secret(key, v.getBytes(StandardCharsets.UTF_8)));
            case "secret-file" -> hmac.put(kid, secret(key, withoutTrailingNewline(read(key, v))));
            case "public-key" -> rsa.put(kid, publicKey(key, v));
            default -> rsa.put(kid, publicKey(key, new String(read(key, v), StandardCharsets.US_ASCII)));
        }
    }

    private static byte[] secret(String key, byte[] secret) {
        if (secret.length < MIN_SECRET_BYTES) {
            throw new InvalidConfigException(key, "an HMAC secret needs at least " + MIN_SECRET_BYTES + " bytes, got "
                    + secret.length);
        }
        return secret;
    }

    private static PublicKey publicKey(String key, String text) {
        PublicKey k;
        try {
            k = JwtVerifier.rsaPublicKey(text);
        } catch (IllegalArgumentException e) {
            throw new InvalidConfigException(key, e.getMessage());
        }
        int bits = ((RSAPublicKey) k).getModulus().bitLength();
        if (bits < MIN_RSA_BITS) throw new InvalidConfigException(key, "an RSA key of " + bits + " bits; at least " + MIN_RSA_BITS);
        return k;
    }

    private static byte[] read(String key, String file) {
        Path path = Path.of(file);
        if (!Files.isRegularFile(path)) throw new InvalidConfigException(key, "no such file: " + file);
        try {
            return Files.readAllBytes(path);
        } catch (IOException e) {
            throw new InvalidConfigException(key, "cannot read " + file + ": " + e.getMessage());
        }
    }

    private static byte[] withoutTrailingNewline(byte[] b) {
        int n = b.length;
        if (n > 0 && b[n - 1] == '\n') n--;
        if (n > 0 && b[n - 1] == '\r') n--;
        return Arrays.copyOf(b, n);
    }
}
