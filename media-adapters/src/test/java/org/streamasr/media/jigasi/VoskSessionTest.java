package org.streamasr.media.jigasi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.streamasr.media.MediaMetrics;
import org.streamasr.media.TranscriptEvent;
import org.streamasr.media.adapter.CloseCodes;
import org.streamasr.media.adapter.ConnectionInfo;
import org.streamasr.media.adapter.RecordingOutbound;
import org.streamasr.testing.RecordingCallSink;

class VoskSessionTest {
    private final RecordingCallSink sink = new RecordingCallSink();
    private final RecordingOutbound out = new RecordingOutbound();
    private final MediaMetrics metrics = new MediaMetrics();

    private VoskSession open(String path, Map<String, String> pathParams) throws Exception {
        return VoskSession.open(sink, VoskConfig.defaults(), ConnectionInfo.of(path, pathParams, Map.of()), out, metrics, Runnable::run);
    }

    static ByteBuffer pcm(short... samples) {
        ByteBuffer b = ByteBuffer.allocate(samples.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (short s : samples) b.putShort(s);
        return b.flip();
    }

    private long drops(String reason) {
        return metrics.dropCounter("vosk").count(reason);
    }

    @Test
    void jigasiConfigDoubleRateThenPcmThenEof() throws Exception {
        VoskSession s = open("/vosk/de", Map.of("lang", "de"));
        s.onText("{\"config\" : {\"sample_rate\" : 16000.0 }}");
        s.onBinary(pcm((short) 1, (short) 2, (short) 3));
        ByteBuffer odd = pcm((short) 4, (short) 5);
        s.onBinary(ByteBuffer.wrap(new byte[] {odd.get(0), odd.get(1), odd.get(2)}));   // 1.5 samples
        s.onBinary(ByteBuffer.wrap(new byte[] {odd.get(3)}));                            // the rest of sample 5
        RecordingCallSink.Call call = sink.awaitCall(0);
        assertEquals("de", call.spec.language());
        assertEquals("jigasi-vosk", call.spec.source());
        assertArrayEquals(new short[] {1, 2, 3, 4, 5}, call.participant("speaker").samples());

        call.emit("speaker", "u1", false, "hallo", "de");
        call.onClose(() -> call.listener.onTranscript(new TranscriptEvent(call.callId(), "speaker", null, "u1", 9, true,
                "hallo welt", "de", 0, 900, List.of(new TranscriptEvent.WordTiming("hallo", 100, 400),
                new TranscriptEvent.WordTiming("welt", 450, 900)))));
        s.onText(VoskSession.EOF);
        assertTrue(call.isClosed());
        assertEquals(List.of("{\"partial\":\"hallo\"}",
                "{\"result\":[{\"conf\":1.0,\"end\":0.4,\"start\":0.1,\"word\":\"hallo\"},"
                        + "{\"conf\":1.0,\"end\":0.9,\"start\":0.45,\"word\":\"welt\"}],\"text\":\"hallo welt\"}"), out.texts());
        assertTrue(out.closedAfterFlush());
        assertEquals(CloseCodes.NORMAL, out.closeCode());
    }

    @Test
    void eofWithoutSpeechStillAnswersAnEmptyFinalLikeVoskServer() throws Exception {
        VoskSession s = open("/vosk", Map.of());
        s.onText("{\"config\" : {\"sample_rate\" : 48000.0 }}");
        s.onBinary(ByteBuffer.wrap(new byte[96]));
        s.onText(VoskSession.EOF);
        assertEquals(List.of("{\"text\" : \"\"}"), out.texts());
        assertEquals(CloseCodes.NORMAL, out.closeCode());
    }

    @Test
    void badInputIsCountedAndGoodInputStillWorks() throws Exception {
        VoskSession s = open("/vosk", Map.of());
        s.onText("{\"config\" : {\"sample_rate\" : ");
        s.onText("{\"config\" : {\"sample_rate\" : -5 }}");
        s.onText("{\"config\" : {\"sample_rate\" : 44100.5 }}");
        s.onText("{\"config\" : {\"sample_rate\" : \"lots\" }}");
        s.onText("{\"hello\" : 1}");
        s.onText("{\"config\" : {\"words\" : true}}");
        s.onText("{\"config\" : {\"sample_rate\" : 16000}}");
        s.onBinary(pcm((short) 7));
        s.onText("{\"config\" : {\"sample_rate\" : 8000}}");
        s.onBinary(pcm((short) 8));
        assertEquals(1, drops("malformed-json"));
        assertEquals(3, drops("bad-sample-rate"));
        assertEquals(1, drops("unknown-message"));
        assertEquals(1, drops("config-after-audio"));
        assertArrayEquals(new short[] {7, 8}, sink.awaitCall(0).participant("speaker").samples());
        s.onText("{\"eof\":1}");
        s.onBinary(pcm((short) 9));
        assertEquals(1, drops("audio-after-eof"));
        assertTrue(sink.awaitCall(0).isClosed(), "a spaced-differently eof is still an eof");
    }

    @Test
    void peerClosingEndsTheCallWithoutAnAnswer() throws Exception {
        VoskSession s = open("/vosk", Map.of());
        s.onBinary(pcm((short) 1));
        s.onClosed(CloseCodes.GOING_AWAY, "gone");
        assertTrue(sink.awaitCall(0).isClosed());
        assertTrue(sink.awaitCall(0).participant("speaker").isClosed());
        assertEquals(List.of(), out.texts());
    }
}
