package org.streamasr.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.websocket.CloseReason;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streamasr.media.adapter.TestAudio;
import org.streamasr.media.adapter.WsTestClient;
import org.streamasr.media.jigasi.TestJwt;
import org.streamasr.server.AsrServer;
import org.streamasr.testing.TestServers;

/**
 * {@code bin/asr serve} with the Whisper endpoint enabled (asr.media.whisper, Jigasi's RSA public key in a file), on
 * the sphinx engine: a client that speaks Jigasi's {@code WhisperWebsocket} protocol byte for byte, with the ASAP
 * token Jigasi signs, gets Skynet-style results with the spoken words for each participant of the room; a client
 * with a token signed by another key, or none, is refused with 1008 and never opens a call.
 */
class JigasiWhisperRecognitionTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String KID = "jigasi-key-1";

    @TempDir
    Path dir;

    private AsrServer start() throws Exception {
        Path key = dir.resolve("jigasi.pem");
        Files.writeString(key, TestJwt.publicKeyPem());
        return AsrServer.start(TestServers.config(Map.of(
                "asr.engine.name", "sphinx", "asr.engine.stream-buffer", "300s", "asr.calls.finish-timeout", "300s",
                "asr.media.whisper.enabled", true,
                "asr.media.whisper.jwt.public-key-file", key.toString())));
    }

    @Test
    void jigasiWithAValidTokenGetsTranscriptsOfEachParticipant() throws Exception {
        short[] alice = TestAudio.clip("sense_and_sensibility_01_austen_64kb-0890.wav");
        short[] bob = TestAudio.clip("sense_and_sensibility_01_austen_64kb-0930.wav");
        String token = TestJwt.rs256(KID, TestJwt.jigasiClaims(System.currentTimeMillis() / 1000, "jitsi"),
                TestJwt.RSA.getPrivate());
        String room = UUID.randomUUID().toString();
        Map<String, StringBuilder> finals = new LinkedHashMap<>();
        try (AsrServer server = start();
             WsTestClient jigasi = WsTestClient.connect(uri(server, "/streaming-whisper/ws/" + room + "?auth_token=" + token))) {
            int chunk = 8000;   // Jigasi buffers 25 x 20 ms at 16 kHz per request
            for (int off = 0; off < Math.max(alice.length, bob.length); off += chunk) {
                if (off < alice.length) jigasi.sendBinary(frame("alice", "en-US", alice, off, chunk));
                if (off < bob.length) jigasi.sendBinary(frame("bob", "en-US", bob, off, chunk));
            }
            RecordingWait.until(Duration.ofSeconds(30), "the room's call", () -> server.calls().find(room).isPresent());
            assertEquals("jigasi-whisper", server.calls().find(room).orElseThrow().source());
            jigasi.sendBinary(new byte[1]);   // the last participant left: one zero byte
            CloseReason closed = jigasi.awaitClose(Duration.ofMinutes(5));
            assertEquals(CloseReason.CloseCodes.NORMAL_CLOSURE, closed.getCloseCode(), closed.toString());
            for (String t : jigasi.texts()) {
                JsonNode r = JSON.readTree(t);
                UUID.fromString(r.get("id").asText());                       // Jigasi parses it as a UUID
                assertTrue(Math.abs(r.get("ts").asLong() - System.currentTimeMillis()) < 600_000, t);
                if (!r.get("type").asText().equals("final")) continue;
                assertEquals(1.0, r.get("variance").asDouble(), t);
                finals.computeIfAbsent(r.get("participant_id").asText(), k -> new StringBuilder())
                        .append(' ').append(r.get("text").asText());
            }
        }
        System.out.println("sphinx through the Whisper endpoint: " + finals);
        // Words pocketsphinx gets right on these clips (JitsiMediaJsonRecognitionTest relies on the same).
        assertTrue(finals.getOrDefault("alice", new StringBuilder()).toString().contains("cold hearted"), "alice: " + finals);
        assertTrue(finals.getOrDefault("bob", new StringBuilder()).toString().contains("he might even have been made"), "bob: " + finals);
    }

    @Test
    void aForgedOrMissingTokenIsRefused() throws Exception {
        java.security.KeyPairGenerator g = java.security.KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        String forged = TestJwt.rs256(KID, TestJwt.jigasiClaims(System.currentTimeMillis() / 1000, "jitsi"),
                g.generateKeyPair().getPrivate());
        String wrongAudience = TestJwt.rs256(KID, TestJwt.jigasiClaims(System.currentTimeMillis() / 1000, "someone-else"),
                TestJwt.RSA.getPrivate());
        try (AsrServer server = start()) {
            for (Map.Entry<String, String> c : Map.of(
                    "?auth_token=" + forged, "unauthorized: bad signature",
                    "?auth_token=" + wrongAudience, "unauthorized: wrong audience",
                    "", "unauthorized: no token").entrySet()) {
                try (WsTestClient jigasi = WsTestClient.connect(uri(server, "/streaming-whisper/ws/room-x" + c.getKey()))) {
                    CloseReason closed = jigasi.awaitClose();
                    assertEquals(CloseReason.CloseCodes.VIOLATED_POLICY, closed.getCloseCode());
                    assertEquals(c.getValue(), closed.getReasonPhrase());
                }
            }
            assertEquals(List.of(), server.calls().calls());
            assertEquals(3L, server.mediaMetrics().dropCounter("whisper").count("unauthorized"));
        }
    }

    private static URI uri(AsrServer server, String pathAndQuery) {
        return URI.create(server.baseUri().toString().replaceFirst("^http", "ws") + pathAndQuery);
    }

    /** Jigasi's {@code WhisperWebsocket.buildPayload}: a 60-byte NUL-padded "participant|language" header, PCM16LE. */
    private static byte[] frame(String participant, String language, short[] audio, int from, int samples) {
        byte[] pcm = TestAudio.le(audio, from, Math.min(audio.length, from + samples));
        ByteBuffer b = ByteBuffer.allocate(60 + pcm.length);
        b.put((participant + "|" + language).getBytes(StandardCharsets.UTF_8)).position(60);
        b.put(pcm);
        return b.array();
    }
}
