package org.streamasr.media.jigasi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JwtVerifierTest {
    static final long NOW = 1_780_000_000L;
    static final byte[] SECRET = "a shared secret of enough length!".getBytes(StandardCharsets.UTF_8);

    private final JwtVerifier rsa = new JwtVerifier(Map.of("jigasi-key-1", JwtVerifier.rsaPublicKey(TestJwt.publicKeyPem())),
            Map.of(), "jitsi", "jigasi", Duration.ofSeconds(30));

    private String reason(JwtVerifier v, String token) {
        return assertThrows(JwtVerifier.InvalidTokenException.class, () -> v.verify(token, NOW)).getMessage();
    }

    @Test
    void acceptsJigasisAsapToken() throws Exception {
        String token = TestJwt.rs256("jigasi-key-1", TestJwt.jigasiClaims(NOW - 10, "jitsi"), TestJwt.RSA.getPrivate());
        assertEquals("jigasi", rsa.verify(token, NOW).get("iss").asText());
    }

    @Test
    void refusesWhatItShould() throws Exception {
        String claims = TestJwt.jigasiClaims(NOW, "jitsi");
        String good = TestJwt.rs256("jigasi-key-1", claims, TestJwt.RSA.getPrivate());
        assertEquals("no RS256 key for kid other", reason(rsa, TestJwt.rs256("other", claims, TestJwt.RSA.getPrivate())));
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        assertEquals("bad signature", reason(rsa, TestJwt.rs256("jigasi-key-1", claims, g.generateKeyPair().getPrivate())));
        assertEquals("token expired", reason(rsa, TestJwt.rs256("jigasi-key-1", TestJwt.jigasiClaims(NOW - 400, "jitsi"), TestJwt.RSA.getPrivate())));
        assertEquals("wrong audience", reason(rsa, TestJwt.rs256("jigasi-key-1", TestJwt.jigasiClaims(NOW, "other"), TestJwt.RSA.getPrivate())));
        assertEquals("wrong issuer", reason(rsa, TestJwt.rs256("jigasi-key-1", claims.replace("jigasi", "mallory"), TestJwt.RSA.getPrivate())));
        assertEquals("algorithm none not accepted", reason(rsa, TestJwt.unsigned(claims)));
        assertEquals("no HS256 key for kid null", reason(rsa, TestJwt.hs256(claims, SECRET)));
        String[] parts = good.split("\\.");
        assertEquals("bad signature", reason(rsa, parts[0] + "." + TestJwt.b64(claims.replace("300", "99999")) + "." + parts[2]));
        assertEquals("malformed token", reason(rsa, "abc"));
        assertEquals("malformed token", reason(rsa, "a.b.c"));
        assertEquals("malformed token", reason(rsa, parts[0] + ".%%%." + parts[2]));
        assertEquals("no token", reason(rsa, null));
        assertEquals("token not yet valid", reason(rsa, TestJwt.rs256("jigasi-key-1",
                "{\"nbf\":" + (NOW + 120) + ",\"aud\":\"jitsi\",\"iss\":\"jigasi\"}", TestJwt.RSA.getPrivate())));
    }

    @Test
    void sharedSecretTokensAndAudienceLists() throws Exception {
        JwtVerifier hs = new JwtVerifier(Map.of(), Map.of("", SECRET), "jitsi", null, Duration.ZERO);
        hs.verify(TestJwt.hs256("{\"aud\":[\"x\",\"jitsi\"],\"exp\":" + (NOW + 1) + "}", SECRET), NOW);
        assertEquals("bad signature", reason(hs, TestJwt.hs256("{\"aud\":\"jitsi\"}", "another secret".getBytes(StandardCharsets.UTF_8))));
        assertEquals("wrong audience", reason(hs, TestJwt.hs256("{\"exp\":" + (NOW + 1) + "}", SECRET)));
    }
}
