package org.streamasr.media.fork;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.streamasr.media.MediaMetrics;
import org.streamasr.media.PcmFrame;
import org.streamasr.media.adapter.CloseCodes;
import org.streamasr.media.adapter.ConnectionInfo;
import org.streamasr.media.adapter.RecordingOutbound;
import org.streamasr.media.g711.G711;
import org.streamasr.testing.RecordingCallSink;

class TwilioSessionTest {
    private final RecordingCallSink sink = new RecordingCallSink();
    private final RecordingOutbound out = new RecordingOutbound();
    private final MediaMetrics metrics = new MediaMetrics();

    private TwilioSession open() {
        return TwilioSession.open(sink, TwilioConfig.defaults(), ConnectionInfo.of("/twilio", Map.of(), Map.of()), out, metrics, Runnable::run);
    }

    private long drops(String reason) {
        return metrics.dropCounter("twilio").count(reason);
    }

    static final String CONNECTED = "{\"event\":\"connected\",\"protocol\":\"Call\",\"version\":\"1.0.0\"}";

    static String start(String callSid) {
        return "{\"event\":\"start\",\"sequenceNumber\":\"1\",\"start\":{\"accountSid\":\"AC123\",\"streamSid\":\"MZ456\","
                + "\"callSid\":\"" + callSid + "\",\"tracks\":[\"inbound\",\"outbound\"],\"mediaFormat\":{\"encoding\":"
                + "\"audio/x-mulaw\",\"sampleRate\":8000,\"channels\":1},\"customParameters\":{\"language\":\"es-ES\","
                + "\"customer\":\"42\"}},\"streamSid\":\"MZ456\"}";
    }

    /** 20 ms of mu-law (160 bytes) whose samples all decode from {@code linear}. */
    static String media(String track, long chunk, long timestampMs, short linear, int seq) {
        byte[] ulaw = new byte[160];
        java.util.Arrays.fill(ulaw, G711.linearToUlaw(linear));
        return "{\"event\":\"media\",\"sequenceNumber\":\"" + seq + "\",\"media\":{\"track\":\"" + track + "\",\"chunk\":\""
                + chunk + "\",\"timestamp\":\"" + timestampMs + "\",\"payload\":\"" + Base64.getEncoder().encodeToString(ulaw)
                + "\"},\"streamSid\":\"MZ456\"}";
    }

    @Test
    void aCallWithBothTracks() {
        TwilioSession s = open();
        s.onText(CONNECTED);
        s.onText(start("CA789"));
        for (int i = 0; i < 50; i++) {
            s.onText(media("inbound", i + 1, 20L * i, (short) 1000, 2 * i + 2));
            s.onText(media("outbound", i + 1, 20L * i, (short) -1000, 2 * i + 3));
        }
        s.onText("{\"event\":\"mark\",\"sequenceNumber\":\"200\",\"streamSid\":\"MZ456\",\"mark\":{\"name\":\"greeting\"}}");
        s.onText("{\"event\":\"dtmf\",\"streamSid\":\"MZ456\",\"sequenceNumber\":\"201\",\"dtmf\":{\"track\":\"inbound_track\",\"digit\":\"1\"}}");
        RecordingCallSink.Call call = sink.awaitCall(0);
        assertEquals("CA789", call.callId());
        assertEquals("es-ES", call.spec.language());
        assertEquals("42", call.spec.attributes().get("custom.customer"));
        assertEquals(List.of("inbound", "outbound"), call.participantIds());
        s.onText("{\"event\":\"stop\",\"sequenceNumber\":\"202\",\"stop\":{\"accountSid\":\"AC123\",\"callSid\":\"CA789\"},\"streamSid\":\"MZ456\"}");
        assertTrue(call.isClosed());
        short[] in = call.participant("inbound").samples();
        assertEquals(16_000, in.length, "1 s of 8 kHz mu-law is 1 s at 16 kHz");
        short expected = G711.ulawToLinear(G711.linearToUlaw((short) 1000));
        assertTrue(Math.abs(in[8000] - expected) < 30, in[8000] + " vs " + expected);
        assertTrue(call.participant("outbound").samples()[8000] < -900);
        assertEquals(1, metrics.counters().get("twilio.dtmf"));
        assertEquals(CloseCodes.NORMAL, out.closeCode(), "the socket closes when the call has ended");
        assertEquals(0, metrics.dropCounter("twilio").total());
    }

    @Test
    void outOfOrderDuplicateAndLostChunks() {
        TwilioSession s = open();
        s.onText(start("CA1"));
        s.onText(media("inbound", 1, 0, (short) 500, 2));
        s.onText(media("inbound", 2, 20, (short) 500, 3));
        s.onText(media("inbound", 2, 20, (short) 500, 4));     // duplicate
        s.onText(media("inbound", 1, 0, (short) 500, 5));      // late
        s.onText(media("inbound", 5, 80, (short) 500, 6));     // chunks 3 and 4 lost
        s.onText(media("inbound", 6, 5100, (short) 500, 7));   // 5 s gap with nothing lost (silence, then a jump)
        s.onText("{\"event\":\"stop\"}");
        RecordingCallSink.Participant p = sink.awaitCall(0).participant("inbound");
        assertEquals(2, drops("out-of-order"));
        assertEquals(640, p.samplesOf(PcmFrame.Kind.CONCEALED), "40 ms lost, concealed at 16 kHz");
        assertEquals(32_000, p.samplesOf(PcmFrame.Kind.SILENCE), "2 s cap of silence");
        assertEquals(5120 * 16, p.endTime(), "the last packet sits at its timestamp");
    }

    @Test
    void badInputIsCountedAndGoodInputStillWorks() {
        TwilioSession s = open();
        s.onText("nope");
        s.onText("{\"sequenceNumber\":\"1\"}");
        s.onText(media("inbound", 1, 0, (short) 1, 2));                        // before start
        s.onText("{\"event\":\"start\"}");
        s.onText("{\"event\":\"start\",\"start\":{\"mediaFormat\":{\"encoding\":\"audio/x-opus\"}}}");
        assertEquals(CloseCodes.UNSUPPORTED_DATA, out.closeCode(), "a stream we cannot decode closes with the reason");
        RecordingOutbound out2 = new RecordingOutbound();
        TwilioSession t = TwilioSession.open(sink, TwilioConfig.defaults(), ConnectionInfo.of("/twilio", Map.of(), Map.of()), out2, metrics, Runnable::run);
        t.onText(start("CA2"));
        t.onText(start("CA2"));
        t.onText("{\"event\":\"media\",\"media\":{\"track\":\"inbound\",\"chunk\":\"1\",\"timestamp\":\"0\",\"payload\":\"$$$\"}}");
        t.onText("{\"event\":\"media\",\"media\":{\"track\":\"inbound\",\"chunk\":\"x\",\"timestamp\":\"0\",\"payload\":\"AA==\"}}");
        t.onText("{\"event\":\"media\",\"media\":{\"track\":\"sideways\",\"chunk\":\"1\",\"timestamp\":\"0\",\"payload\":\"AA==\"}}");
        t.onText("{\"event\":\"media\",\"media\":{\"track\":\"inbound\",\"chunk\":\"1\",\"timestamp\":\"0\",\"payload\":\"\"}}");
        t.onText("{\"event\":\"media\",\"media\":{\"track\":\"inbound\",\"chunk\":1,\"timestamp\":0,\"payload\":\"" + "A".repeat(20_000) + "\"}}");
        t.onText("{\"event\":\"clear\",\"streamSid\":\"x\"}");
        t.onBinary(ByteBuffer.wrap(new byte[3]));
        t.onText(media("inbound", 1, 0, (short) 1000, 9));
        t.onText(media("inbound", 2, 20, (short) 1000, 10));
        assertEquals(1, drops("malformed-json"));
        assertEquals(1, drops("missing-event"));
        assertEquals(1, drops("media-before-start"));
        assertEquals(1, drops("start-without-body"));
        assertEquals(1, drops("unsupported-encoding"));
        assertEquals(1, drops("duplicate-start"));
        assertEquals(1, drops("bad-base64"));
        assertEquals(1, drops("media-without-fields"));
        assertEquals(1, drops("unknown-track"));
        assertEquals(1, drops("empty-payload"));
        assertEquals(1, drops("payload-too-large"));
        assertEquals(1, drops("binary-message"));
        assertEquals(1, metrics.counters().get("twilio.events.ignored"));
        assertTrue(sink.calls().get(0).participant("inbound").samples().length > 400);
    }
}
