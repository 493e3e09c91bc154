package org.streamasr.media.jigasi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.streamasr.media.adapter.LenientJson;

/**
 * Verifies the JSON Web Tokens a Jigasi Whisper client presents: RS256/384/512 (Jigasi signs an ASAP token with its
 * private key, {@code kid} = {@code whisper.private_key_name}, {@code iss} = "jigasi", {@code aud} =
 * {@code whisper.jwt_audience}) or HS256/384/512 with a shared secret. {@code alg: none} and unknown algorithms are
 * refused; {@code exp} and {@code nbf} are checked with a leeway, {@code aud} and {@code iss} when configured.
 *
 * @param rsaKeys     public keys by {@code kid}; the key under "" verifies tokens whose {@code kid} has no entry
 * @param hmacSecrets shared secrets by {@code kid}; "" likewise
 * @param audience    required audience, or {@code null} not to check
 * @param issuer      required issuer, or {@code null} not to check
 */
public record JwtVerifier(Map<String, PublicKey> rsaKeys, Map<String, byte[]> hmacSecrets, String audience,
                          String issuer, Duration leeway) {

    /** Why a token was refused; the message is safe to send back as a close reason. */
    public static final class InvalidTokenException extends Exception {
        public InvalidTokenException(String message) {
            super(message);
        }
    }

    public JwtVerifier {
        rsaKeys = Map.copyOf(rsaKeys);
        hmacSecrets = Map.copyOf(hmacSecrets);
        if (rsaKeys.isEmpty() && hmacSecrets.isEmpty()) throw new IllegalArgumentException("jwt: at least one key or secret");
        leeway = leeway == null ? Duration.ZERO : leeway;
    }

    /** Checks signature and claims; returns the claims. */
    public ObjectNode verify(String token, long nowEpochSeconds) throws InvalidTokenException {
        if (token == null || token.isBlank()) throw new InvalidTokenException("no token");
        String[] parts = token.trim().split("\\.", -1);
        if (parts.length != 3) throw new InvalidTokenException("malformed token");
        ObjectNode header = decodeJson(parts[0]);
        ObjectNode claims = decodeJson(parts[1]);
        byte[] signature = decode(parts[2]);
        byte[] signed = (parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII);
        String alg = LenientJson.text(header, "alg");
        String kid = LenientJson.text(header, "kid");
        if (alg == null) throw new InvalidTokenException("token without alg");
        boolean ok = switch (alg) {
            case "RS256", "RS384", "RS512" -> verifyRsa(alg, key(rsaKeys, kid, alg), signed, signature);
            case "HS256", "HS384", "HS512" -> verifyHmac(alg, key(hmacSecrets, kid, alg), signed, signature);
            default -> throw new InvalidTokenException("algorithm " + alg + " not accepted");
        };
        if (!ok) throw new InvalidTokenException("bad signature");
        checkClaims(claims, nowEpochSeconds);
        return claims;
    }

    /** An RSA public key from PEM ({@code -----BEGIN PUBLIC KEY-----}, X.509 SubjectPublicKeyInfo) or bare base64. */
    public static PublicKey rsaPublicKey(String pemOrBase64) {
        String b64 = pemOrBase64.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        try {
            return KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(b64)));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalArgumentException("not an RSA public key (PEM or base64 X.509): " + e.getMessage(), e);
        }
    }

    private void checkClaims(ObjectNode claims, long now) throws InvalidTokenException {
        long slack = leeway.toSeconds();
        Long exp = LenientJson.integer(claims, "exp");
        if (exp != null && now > exp + slack) throw new InvalidTokenException("token expired");
        Long nbf = LenientJson.integer(claims, "nbf");
        if (nbf != null && now + slack < nbf) throw new InvalidTokenException("token not yet valid");
        if (issuer != null && !issuer.equals(LenientJson.text(claims, "iss"))) throw new InvalidTokenException("wrong issuer");
        if (audience != null && !hasAudience(claims.get("aud"))) throw new InvalidTokenException("wrong audience");
    }

    private boolean hasAudience(JsonNode aud) {
        if (aud == null) return false;
        if (aud.isTextual()) return audience.equals(aud.textValue());
        if (aud.isArray()) {
            for (JsonNode a : aud) {
                if (a.isTextual() && audience.equals(a.textValue())) return true;
            }
        }
        return false;
    }

    private static <K> K key(Map<String, K> keys, String kid, String alg) throws InvalidTokenException {
        K k = kid == null ? null : keys.get(kid);
        if (k == null) k = keys.get("");
        if (k == null) throw new InvalidTokenException("no " + alg + " key for kid " + kid);
        return k;
    }

    private static boolean verifyRsa(String alg, PublicKey key, byte[] signed, byte[] signature) throws InvalidTokenException {
        try {
            Signature s = Signature.getInstance("SHA" + alg.substring(2) + "withRSA");
            s.initVerify(key);
            s.update(signed);
            return s.verify(signature);
        } catch (java.security.SignatureException e) {
            return false;
        } catch (GeneralSecurityException e) {
            throw new InvalidTokenException("signature not verifiable: " + e.getMessage());
        }
    }

    private static boolean verifyHmac(String alg, byte[] secret, byte[] signed, byte[] signature) throws InvalidTokenException {
        try {
            String name = "HmacSHA" + alg.substring(2);
            Mac mac = Mac.getInstance(name);
            mac.init(new SecretKeySpec(secret, name));
            return MessageDigest.isEqual(mac.doFinal(signed), signature);
        } catch (GeneralSecurityException e) {
            throw new InvalidTokenException("signature not verifiable: " + e.getMessage());
        }
    }

    private static ObjectNode decodeJson(String part) throws InvalidTokenException {
        ObjectNode o = LenientJson.parseObject(new String(decode(part), StandardCharsets.UTF_8));
        if (o == null) throw new InvalidTokenException("malformed token");
        return o;
    }

    private static byte[] decode(String part) throws InvalidTokenException {
        try {
            return Base64.getUrlDecoder().decode(part);
        } catch (IllegalArgumentException e) {
            throw new InvalidTokenException("malformed token");
        }
    }
}
