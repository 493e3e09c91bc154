package org.streamasr.api.webhook;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs webhook deliveries: {@code X-Asr-Webhook-Signature: v1=<hex HMAC-SHA256(secret, timestamp + "." + body)>}
 * with {@code X-Asr-Webhook-Timestamp: <unix seconds>}. A receiver recomputes the HMAC over the timestamp header,
 * a dot and the raw body bytes, compares in constant time, and refuses timestamps too far from its clock (replays).
 */
public final class WebhookSigner {
    public static final String REQUEST_ID_HEADER = "X-Asr-Webhook-Request-Id";
    public static final String TIMESTAMP_HEADER = "X-Asr-Webhook-Timestamp";
    public static final String SIGNATURE_HEADER = "X-Asr-Webhook-Signature";

    private final byte[] key;

    public WebhookSigner(String secret) {
        this.key = secret.getBytes(StandardCharsets.UTF_8);
    }

    public String sign(long timestampSeconds, String body) {
        return "v1=" + HexFormat.of().formatHex(hmac(key, timestampSeconds + "." + body));
    }

    /**
     * What a receiver does: true when {@code signature} is the HMAC of {@code timestamp + "." + body} and the
     * timestamp is within {@code toleranceSeconds} of {@code nowSeconds}.
     */
    public static boolean verify(String secret, String timestamp, String body, String signature, long nowSeconds,
                                 long toleranceSeconds) {
        if (timestamp == null || signature == null || !signature.startsWith("v1=")) return false;
        long ts;
        try {
            ts = Long.parseLong(timestamp.trim());
        } catch (NumberFormatException e) {
            return false;
        }
        if (Math.abs(nowSeconds - ts) > toleranceSeconds) return false;
        byte[] expected = hmac(secret.getBytes(StandardCharsets.UTF_8), ts + "." + body);
        byte[] given;
        try {
            given = HexFormat.of().parseHex(signature.substring(3).trim());
        } catch (IllegalArgumentException e) {
            return false;
        }
        return MessageDigest.isEqual(expected, given);
    }

    private static byte[] hmac(byte[] key, String message) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(message.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }
}
