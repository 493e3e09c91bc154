package org.streamasr.media.jigasi;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.streamasr.media.MediaMetrics;
import org.streamasr.media.adapter.ConnectionInfo;
import org.streamasr.media.adapter.Mutator;
import org.streamasr.media.adapter.RecordingOutbound;
import org.streamasr.testing.RecordingCallSink;

/** Seeded malformed input through the Vosk and Whisper parsers and the JWT verifier. */
class JigasiCorpusTest {

    @Test
    void voskSurvivesMutatedConfigsAndAudio() throws Exception {
        RecordingCallSink sink = new RecordingCallSink();
        MediaMetrics metrics = new MediaMetrics();
        VoskSession s = VoskSession.open(sink, VoskConfig.defaults(), ConnectionInfo.of("/vosk", Map.of(), Map.of()),
                new RecordingOutbound(), metrics, Runnable::run);
        Mutator mutator = new Mutator(7L);
        for (String m : mutator.texts(List.of("{\"config\" : {\"sample_rate\" : 16000.0 }}",
                "{\"config\" : {\"sample_rate\" : 48000, \"words\" : true, \"phrase_list\" : [\"a\"]}}"), 3000)) {
            s.onText(m);
        }
        for (byte[] b : mutator.bytes(List.of(VoskSessionTest.pcm((short) 1, (short) 2, (short) 3).array()), 1000)) {
            s.onBinary(ByteBuffer.wrap(b));
        }
        assertTrue(metrics.dropCounter("vosk").total() > 100, metrics.drops().toString());
        int before = sink.awaitCall(0).participant("speaker").samples().length;
        s.onBinary(ByteBuffer.wrap(new byte[3200]));
        assertTrue(sink.awaitCall(0).participant("speaker").samples().length > before, "good audio after the corpus still flows");
    }

    @Test
    void whisperSurvivesMutatedFrames() throws Exception {
        RecordingCallSink sink = new RecordingCallSink();
        MediaMetrics metrics = new MediaMetrics();
        WhisperSession s = WhisperSession.open(sink, WhisperConfig.openDefaults(),
                ConnectionInfo.of("/ws/r", Map.of("meetingId", "r"), Map.of()), new RecordingOutbound(), metrics, Runnable::run, () -> 0L);
        byte[] seed = WhisperSessionTest.jigasiPayload("p1", "en", new short[100]).array();
        for (byte[] b : new Mutator(11L).bytes(List.of(seed), 5000)) {
            if (b.length == 1 && b[0] == 0) continue;   // that is the end-of-session frame, not bad input
            s.onBinary(ByteBuffer.wrap(b));
        }
        for (String t : new Mutator(12L).texts(List.of("{\"a\":1}"), 200)) s.onText(t);
        assertTrue(metrics.dropCounter("whisper").total() > 1000, metrics.drops().toString());
        short[] before = sink.awaitCall(0).participant("p1").samples();
        s.onBinary(WhisperSessionTest.jigasiPayload("p1", "en", new short[] {4, 5}));
        short[] after = sink.awaitCall(0).participant("p1").samples();
        assertTrue(Arrays.equals(new short[] {4, 5}, Arrays.copyOfRange(after, before.length, after.length)),
                "a good frame after the corpus arrives whole and aligned");
    }

    @Test
    void jwtVerifierOnlyEverSaysInvalid() throws Exception {
        JwtVerifier v = new JwtVerifier(Map.of("k", TestJwt.RSA.getPublic()), Map.of("", "secret-secret-secret".getBytes()),
                "jitsi", "jigasi", Duration.ZERO);
        String good = TestJwt.rs256("k", TestJwt.jigasiClaims(1000, "jitsi"), TestJwt.RSA.getPrivate());
        int refused = 0;
        for (String t : new Mutator(13L).texts(List.of(good, TestJwt.hs256("{\"aud\":\"jitsi\"}", "x".getBytes())), 600)) {
            try {
                v.verify(t, 1000);
            } catch (JwtVerifier.InvalidTokenException e) {
                refused++;
            }
        }
        assertTrue(refused > 550, "refused " + refused);
    }
}
