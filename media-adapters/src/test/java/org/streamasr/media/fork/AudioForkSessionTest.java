package org.streamasr.media.fork;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.streamasr.media.MediaMetrics;
import org.streamasr.media.adapter.CloseCodes;
import org.streamasr.media.adapter.ConnectionInfo;
import org.streamasr.media.adapter.RecordingOutbound;
import org.streamasr.media.adapter.TestAudio;
import org.streamasr.testing.RecordingCallSink;

class AudioForkSessionTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final RecordingCallSink sink = new RecordingCallSink();
    private final RecordingOutbound out = new RecordingOutbound();
    private final MediaMetrics metrics = new MediaMetrics();

    private AudioForkSession open(ConnectionInfo connection) {
        return AudioForkSession.open(sink, AudioForkConfig.defaults(), connection, out, metrics, Runnable::run);
    }

    private long drops(String reason) {
        return metrics.dropCounter("audio-fork").count(reason);
    }

    static final String JAMBONZ_METADATA = "{\"callSid\":\"b1d4-77\",\"direction\":\"inbound\",\"from\":\"+15551230000\","
            + "\"to\":\"+15559870000\",\"callId\":\"sip-call-id\",\"sampleRate\":16000,\"mixType\":\"stereo\","
            + "\"metadata\":{\"lang\":\"x\"},\"language\":\"en-US\"}";

    @Test
    void jambonzStereoMetadataThenInterleavedL16() {
        AudioForkSession s = open(ConnectionInfo.of("/audio-fork", Map.of(), Map.of()).withSubprotocol("audio.jambonz.org"));
        s.onText(JAMBONZ_METADATA);
        short[] stereo = {1, -1, 2, -2, 3, -3};
        byte[] bytes = TestAudio.le(stereo, 0, stereo.length);
        s.onBinary(ByteBuffer.wrap(bytes, 0, 5));                     // cut inside a sample frame
        s.onBinary(ByteBuffer.wrap(bytes, 5, bytes.length - 5));
        RecordingCallSink.Call call = sink.awaitCall(0);
        assertEquals("b1d4-77", call.callId());
        assertEquals("jambonz", call.spec.source());
        assertEquals("en-US", call.spec.language());
        assertEquals("+15559870000", call.spec.attributes().get("to"));
        assertEquals(List.of("caller", "callee"), call.participantIds());
        assertEquals("+15551230000", call.participant("caller").spec.displayName());
        assertEquals("+15559870000", call.participant("callee").spec.displayName());
        assertArrayEquals(new short[] {1, 2, 3}, call.participant("caller").samples());
        assertArrayEquals(new short[] {-1, -2, -3}, call.participant("callee").samples());
    }

    @Test
    void modAudioForkWithoutMetadataUsesTheUrlThenTheDefaults() {
        AudioForkSession s = open(ConnectionInfo.of("/audio-fork/abc", Map.of("callId", "abc"), Map.of("rate", "8k", "mix", "mixed")));
        short[] at8k = TestAudio.resample(new short[1600], 16_000, 8_000);
        s.onBinary(ByteBuffer.wrap(TestAudio.le(at8k, 0, at8k.length)));
        RecordingCallSink.Call call = sink.awaitCall(0);
        assertEquals("abc", call.callId());
        assertEquals("audio-fork", call.spec.source());
        assertEquals(List.of("mixed"), call.participantIds());
        int got = call.participant("mixed").samples().length;
        assertTrue(got > 1400 && got <= 1600, "8 kHz resampled to 16 kHz (less the filter's look-ahead): " + got);
        s.onClosed(CloseCodes.NORMAL, "fork stopped");
        assertEquals(1600, call.participant("mixed").samples().length, "the look-ahead is flushed at the end");
        assertTrue(call.isClosed());
    }

    @Test
    void nonJsonMetadataIsKeptAndLaterTextEventsAreCounted() {
        AudioForkSession s = open(ConnectionInfo.of("/audio-fork", Map.of(), Map.of()));
        s.onText("customer 42");
        s.onText("{\"event\":\"dtmf\",\"dtmf\":\"5\",\"duration\":\"1600\"}");
        s.onText("{\"event\":\"whatever\"}");
        s.onText("garbage");
        assertEquals("customer 42", sink.awaitCall(0).spec.attributes().get("metadata"));
        assertEquals(1, metrics.counters().get("audio-fork.dtmf"));
        assertEquals(1, metrics.counters().get("audio-fork.events.ignored"));
        assertEquals(1, drops("malformed-json"));
    }

    @Test
    void badRateAndMixAreCountedAndTheDefaultsUsed() {
        AudioForkSession s = open(ConnectionInfo.of("/audio-fork", Map.of(), Map.of("rate", "11025")));
        s.onText("{\"sampleRate\":\"lots\",\"mixType\":\"quad\"}");
        s.onBinary(ByteBuffer.wrap(TestAudio.le(new short[] {5, 6}, 0, 2)));
        assertEquals(2, drops("bad-sample-rate"));
        assertEquals(1, drops("bad-mix-type"));
        assertEquals(List.of("caller"), sink.awaitCall(0).participantIds());
        s.onText("{\"event\":\"dtmf\"}");
        s.onBinary(ByteBuffer.wrap(new byte[800]));
        assertTrue(sink.awaitCall(0).participant("caller").samples().length > 600, "good audio after bad input still flows");
    }

    @Test
    void transcriptsGoBackAsModAudioForkTranscriptionMessages() throws Exception {
        AudioForkSession s = open(ConnectionInfo.of("/audio-fork", Map.of(), Map.of()));
        s.onText(JAMBONZ_METADATA);
        RecordingCallSink.Call call = sink.awaitCall(0);
        call.emit("callee", "u1", false, "hel", "en-US");
        call.emit("callee", "u1", true, "hello", "en-US");
        call.emit("caller", "u2", true, " ", "en-US");
        assertEquals(2, out.texts().size());
        JsonNode fin = JSON.readTree(out.texts().get(1));
        assertEquals("transcription", fin.get("type").asText());
        assertEquals("callee", fin.get("data").get("channel").asText());
        assertEquals("hello", fin.get("data").get("text").asText());
        assertTrue(fin.get("data").get("isFinal").asBoolean());
        assertEquals("b1d4-77", fin.get("data").get("callId").asText());
        call.close();
        assertEquals(CloseCodes.NORMAL, out.closeCode());
    }

    @Test
    void rejectedCallClosesWithTheReason() {
        sink.rejectCalls("busy");
        AudioForkSession s = open(ConnectionInfo.of("/audio-fork", Map.of(), Map.of()));
        s.onText(JAMBONZ_METADATA);
        s.onBinary(ByteBuffer.wrap(new byte[4]));
        assertEquals(CloseCodes.TRY_AGAIN_LATER, out.closeCode());
        assertEquals("busy", out.closeReason());
        assertEquals(1, drops("call-rejected"));
    }

    @Test
    void rates() {
        assertEquals(16_000, AudioForkSession.rate("16k"));
        assertEquals(8000, AudioForkSession.rate("8000"));
        assertEquals(64_000, AudioForkSession.rate("64000"));
        assertEquals(null, AudioForkSession.rate("44100"));
        assertEquals(null, AudioForkSession.rate("72k"));
        assertEquals(null, AudioForkSession.rate("k"));
    }
}
