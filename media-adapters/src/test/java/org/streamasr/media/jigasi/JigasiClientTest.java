package org.streamasr.media.jigasi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.websocket.CloseReason;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.streamasr.media.MediaMetrics;
import org.streamasr.media.adapter.Poll;
import org.streamasr.media.adapter.TestAudio;
import org.streamasr.media.adapter.TyrusTestServer;
import org.streamasr.media.adapter.WsTestClient;
import org.streamasr.testing.RecordingCallSink;
import org.streamasr.testing.SignalMetrics;

/**
 * A stock Jigasi against our endpoints over real sockets: the client sends byte for byte what Jigasi's
 * {@code VoskTranscriptionService} and {@code WhisperWebsocket} send, and reads our answers the way they do.
 */
class JigasiClientTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String KID = "jigasi-key-1";

    private final RecordingCallSink sink = new RecordingCallSink();
    private final MediaMetrics metrics = new MediaMetrics();
    private final org.streamasr.media.pipeline.MediaExecutors pool = org.streamasr.media.pipeline.MediaExecutors.create(2);
    private TyrusTestServer server;

    @BeforeEach
    void start() throws Exception {
        JwtVerifier jwt = new JwtVerifier(Map.of(KID, JwtVerifier.rsaPublicKey(TestJwt.publicKeyPem())), Map.of(),
                "jitsi", "jigasi", Duration.ofSeconds(30));
        List<jakarta.websocket.server.ServerEndpointConfig> endpoints = new ArrayList<>();
        endpoints.addAll(VoskEndpoints.create(sink, metrics, pool.cpu(), VoskConfig.defaults()));
        endpoints.addAll(WhisperEndpoints.create(sink, metrics, pool.cpu(), WhisperConfig.openDefaults().withJwt(jwt)));
        server = new TyrusTestServer(endpoints);
    }

    @AfterEach
    void stop() {
        server.close();
        pool.close();
    }

    /** Jigasi's {@code VoskWebsocketStreamingSession.onMessage}: "partial" key, else "text"; empty ones dropped. */
    record VoskResult(boolean partial, String text) {
        static VoskResult parse(String msg) throws Exception {
            JsonNode obj = JSON.readTree(msg);
            return obj.has("partial") ? new VoskResult(true, obj.get("partial").asText()) : new VoskResult(false, obj.get("text").asText());
        }
    }

    @Test
    void voskProtocolAsJigasiSpeaksIt() throws Exception {
        short[] source = TestAudio.clip("sense_and_sensibility_01_austen_64kb-0880.wav");
        short[] at48k = TestAudio.resample(source, 16_000, 48_000);
        try (WsTestClient jigasi = WsTestClient.connect(server.uri("/vosk/en"))) {
            double sampleRate = 48000.0;  // AudioFormat.getSampleRate() is a double: Jigasi sends "48000.0"
            jigasi.sendText("{\"config\" : {\"sample_rate\" : " + sampleRate + " }}");
            for (int off = 0; off < at48k.length; off += 24_000) {   // 25 packets of 20 ms = 48000 bytes per request
                jigasi.sendBinary(TestAudio.le(at48k, off, Math.min(at48k.length, off + 24_000)));
            }
            RecordingCallSink.Call call = sink.awaitCall(0);
            assertEquals("en", call.spec.language());
            RecordingCallSink.Participant speaker = call.awaitParticipant("speaker");
            Poll.until(() -> speaker.samples().length >= source.length - 200, "all audio arrived: " + speaker.samples().length);
            call.emit("speaker", "u1", false, "he was not", "en");
            call.onClose(() -> call.emit("speaker", "u1", true, "he was not an ill disposed young man", "en"));
            jigasi.sendText("{\"eof\" : 1}");
            CloseReason closed = jigasi.awaitClose();
            assertEquals(CloseReason.CloseCodes.NORMAL_CLOSURE, closed.getCloseCode());
            List<VoskResult> results = new ArrayList<>();
            for (String t : jigasi.texts()) results.add(VoskResult.parse(t));
            assertEquals(List.of(new VoskResult(true, "he was not"), new VoskResult(false, "he was not an ill disposed young man")), results);
            short[] got = speaker.samples();
            SignalMetrics.Alignment a = SignalMetrics.align(source, got, 200);
            assertTrue(a.correlation() > 0.99, "48 kHz in, 16 kHz to the engine, same speech: " + a);
            assertTrue(Math.abs(got.length - source.length) <= 2, got.length + " vs " + source.length);
        }
        assertEquals(0, metrics.dropCounter("vosk").total(), metrics.drops().toString());
    }

    @Test
    void voskDefaultPathHasNoLanguage() throws Exception {
        try (WsTestClient jigasi = WsTestClient.connect(server.uri("/vosk"))) {
            jigasi.sendText("{\"config\" : {\"sample_rate\" : 16000.0 }}");
            jigasi.sendText("{\"eof\" : 1}");
            assertEquals("{\"text\" : \"\"}", jigasi.awaitText(0));
            jigasi.awaitClose();
        }
        assertEquals(null, sink.awaitCall(0).spec.language());
    }

    /** Jigasi's {@code WhisperWebsocket.onMessage}. */
    record WhisperResult(UUID id, String participantId, boolean partial, String text, Instant start, float stability) {
        static WhisperResult parse(String msg) throws Exception {
            JsonNode obj = JSON.readTree(msg);
            return new WhisperResult(UUID.fromString(obj.get("id").asText()), obj.get("participant_id").asText(),
                    !obj.get("type").asText().equals("final"), obj.get("text").asText(),
                    Instant.ofEpochMilli(obj.get("ts").asLong()), (float) obj.get("variance").asDouble());
        }
    }

    @Test
    void whisperProtocolAsJigasiSpeaksIt() throws Exception {
        short[] alice = TestAudio.clip("sense_and_sensibility_01_austen_64kb-0880.wav");
        short[] bob = TestAudio.clip("sense_and_sensibility_01_austen_64kb-0930.wav");
        long now = System.currentTimeMillis() / 1000;
        String token = TestJwt.rs256(KID, TestJwt.jigasiClaims(now, "jitsi"), TestJwt.RSA.getPrivate());
        String connectionId = UUID.randomUUID().toString();
        try (WsTestClient jigasi = WsTestClient.connect(server.uri("/streaming-whisper/ws/" + connectionId + "?auth_token=" + token))) {
            int chunk = 8000;   // 25 x 20 ms at 16 kHz
            for (int off = 0; off < Math.max(alice.length, bob.length); off += chunk) {
                if (off < alice.length) jigasi.sendBinary(payload("alice01", "en-US", TestAudio.le(alice, off, Math.min(alice.length, off + chunk))));
                if (off < bob.length) jigasi.sendBinary(payload("bob0002", "en-US", TestAudio.le(bob, off, Math.min(bob.length, off + chunk))));
            }
            RecordingCallSink.Call call = sink.awaitCall(0);
            assertEquals(connectionId, call.callId());
            RecordingCallSink.Participant a = call.awaitParticipant("alice01");
            RecordingCallSink.Participant b = call.awaitParticipant("bob0002");
            Poll.until(() -> a.samples().length == alice.length && b.samples().length == bob.length, "all audio arrived");
            assertArrayEquals(alice, a.samples());
            assertArrayEquals(bob, b.samples());
            assertEquals("en-US", a.spec.language());

            call.emit("bob0002", "b1", false, "he might", "en-US");
            call.onClose(() -> call.emit("alice01", "a1", true, "he was not an ill disposed young man", "en-US"));
            jigasi.sendBinary(new byte[1]);   // EOF_MESSAGE: one zero byte
            jigasi.awaitClose();
            WhisperResult r0 = WhisperResult.parse(jigasi.awaitText(0));
            WhisperResult r1 = WhisperResult.parse(jigasi.awaitText(1));
            assertEquals("bob0002", r0.participantId());
            assertTrue(r0.partial());
            assertEquals("alice01", r1.participantId());
            assertFalse(r1.partial());
            assertEquals(1.0f, r1.stability());
            assertTrue(Math.abs(r1.start().toEpochMilli() - System.currentTimeMillis()) < 60_000, "ts is epoch ms: " + r1.start());
        }
        assertEquals(0, metrics.dropCounter("whisper").total(), metrics.drops().toString());
    }

    @Test
    void whisperRefusesABadTokenWithAReason() throws Exception {
        KeyPairHolder other = new KeyPairHolder();
        String forged = TestJwt.rs256(KID, TestJwt.jigasiClaims(System.currentTimeMillis() / 1000, "jitsi"), other.pair.getPrivate());
        try (WsTestClient jigasi = WsTestClient.connect(server.uri("/streaming-whisper/ws/x?auth_token=" + forged))) {
            CloseReason closed = jigasi.awaitClose();
            assertEquals(CloseReason.CloseCodes.VIOLATED_POLICY, closed.getCloseCode());
            assertEquals("unauthorized: bad signature", closed.getReasonPhrase());
        }
        String token = TestJwt.rs256(KID, TestJwt.jigasiClaims(System.currentTimeMillis() / 1000, "jitsi"), TestJwt.RSA.getPrivate());
        try (WsTestClient jigasi = WsTestClient.connect(server.uri("/ws/y"), List.of(), Map.of("Authorization", "Bearer " + token))) {
            jigasi.sendBinary(payload("p", "en", TestAudio.le(new short[] {1, 2}, 0, 2)));
            sink.awaitCall(0).awaitParticipant("p");
            assertTrue(jigasi.isOpen());
        }
        assertEquals(1, sink.calls().size());
    }

    static final class KeyPairHolder {
        final java.security.KeyPair pair;

        KeyPairHolder() throws Exception {
            java.security.KeyPairGenerator g = java.security.KeyPairGenerator.getInstance("RSA");
            g.initialize(2048);
            pair = g.generateKeyPair();
        }
    }

    /** {@code WhisperWebsocket.buildPayload}. */
    static byte[] payload(String participantId, String language, byte[] audio) {
        ByteBuffer header = ByteBuffer.allocate(60);
        ByteBuffer full = ByteBuffer.allocate(audio.length + 60);
        header.put((participantId + "|" + language).getBytes()).rewind();
        full.put(header).put(audio).rewind();
        return full.array();
    }
}
