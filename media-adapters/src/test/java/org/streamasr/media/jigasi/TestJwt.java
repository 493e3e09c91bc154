package org.streamasr.media.jigasi;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** Signs tokens the way Jigasi's WhisperWebsocket does (jjwt, RS256, kid + iss + aud + iat + exp), for tests. */
public final class TestJwt {
    public static final KeyPair RSA = rsa();

    private TestJwt() {
    }

    private static KeyPair rsa() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(2048);
            return g.generateKeyPair();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Jigasi's claims: {@code iat}, {@code aud}, {@code iss=jigasi}, {@code exp = iat + 5 min}. */
    public static String jigasiClaims(long nowSeconds, String audience) {
        return "{\"iat\":" + nowSeconds + ",\"aud\":\"" + audience + "\",\"iss\":\"jigasi\",\"exp\":" + (nowSeconds + 300) + "}";
    }

    public static String rs256(String kid, String claims, PrivateKey key) throws Exception {
        String signed = b64("{\"kid\":\"" + kid + "\",\"alg\":\"RS256\"}") + "." + b64(claims);
        Signature s = Signature.getInstance("SHA256withRSA");
        s.initSign(key);
        s.update(signed.getBytes(StandardCharsets.US_ASCII));
        return signed + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(s.sign());
    }

    public static String hs256(String claims, byte[] secret) throws Exception {
        String signed = b64("{\"alg\":\"HS256\",\"typ\":\"JWT\"}") + "." + b64(claims);
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret, "HmacSHA256"));
        return signed + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(mac.doFinal(signed.getBytes(StandardCharsets.US_ASCII)));
    }

    public static String unsigned(String claims) {
        return b64("{\"alg\":\"none\"}") + "." + b64(claims) + ".";
    }

    public static String b64(String s) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    public static String publicKeyPem() {
        return "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(RSA.getPublic().getEncoded()) + "\n-----END PUBLIC KEY-----\n";
    }
}
