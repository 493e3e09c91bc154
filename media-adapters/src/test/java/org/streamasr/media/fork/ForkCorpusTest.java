package org.streamasr.media.fork;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.streamasr.media.MediaMetrics;
import org.streamasr.media.adapter.ConnectionInfo;
import org.streamasr.media.adapter.Mutator;
import org.streamasr.media.adapter.RecordingOutbound;
import org.streamasr.testing.RecordingCallSink;

/** Seeded malformed input through the mod_audio_fork, Twilio and AudioSocket parsers. */
class ForkCorpusTest {

    @Test
    void audioForkSurvivesMutatedMetadataAndEvents() {
        RecordingCallSink sink = new RecordingCallSink();
        MediaMetrics metrics = new MediaMetrics();
        Mutator mutator = new Mutator(21L);
        List<String> metadata = mutator.texts(List.of(AudioForkSessionTest.JAMBONZ_METADATA), 250);
        for (String m : metadata) {
            AudioForkSession s = AudioForkSession.open(sink, AudioForkConfig.defaults(),
                    ConnectionInfo.of("/audio-fork", Map.of(), Map.of()), new RecordingOutbound(), metrics, Runnable::run);
            s.onText(m);
            for (String e : mutator.texts(List.of("{\"event\":\"dtmf\",\"dtmf\":\"1\"}"), 3)) s.onText(e);
            for (byte[] b : mutator.bytes(List.of(new byte[640]), 3)) s.onBinary(ByteBuffer.wrap(b));
            s.onBinary(ByteBuffer.wrap(new byte[3200]));        // 100 ms of good 8 kHz stereo
            RecordingCallSink.Call call = sink.calls().get(sink.calls().size() - 1);
            String first = call.participantIds().get(0);
            assertTrue(call.participant(first).samples().length > 0, "audio flows after metadata " + m);
            s.onClosed(1000, "done");
        }
        assertEquals(metadata.size(), sink.calls().size());
    }

    @Test
    void twilioSurvivesMutatedMessages() {
        RecordingCallSink sink = new RecordingCallSink();
        MediaMetrics metrics = new MediaMetrics();
        TwilioSession s = TwilioSession.open(sink, TwilioConfig.defaults(), ConnectionInfo.of("/twilio", Map.of(), Map.of()),
                new RecordingOutbound(), metrics, Runnable::run);
        s.onText(TwilioSessionTest.start("CA1"));
        List<String> seeds = List.of(TwilioSessionTest.media("inbound", 5, 100, (short) 3, 9), TwilioSessionTest.CONNECTED,
                "{\"event\":\"dtmf\",\"dtmf\":{\"track\":\"inbound_track\",\"digit\":\"1\"}}",
                "{\"event\":\"mark\",\"mark\":{\"name\":\"x\"}}", TwilioSessionTest.start("CA1"));
        for (String m : new Mutator(22L).texts(seeds, 4000)) s.onText(m);
        assertTrue(metrics.dropCounter("twilio").total() > 1000, metrics.drops().toString());
        for (int i = 1; i <= 5; i++) s.onText(TwilioSessionTest.media("outbound", i, 20L * i, (short) 800, 100 + i));
        assertTrue(sink.awaitCall(0).participant("outbound").samples().length > 1000, "good media after the corpus still plays");
        s.onClosed(1000, "done");
    }

    @Test
    void audioSocketSurvivesMutatedStreams() {
        RecordingCallSink sink = new RecordingCallSink();
        MediaMetrics metrics = new MediaMetrics();
        byte[] good = concat(AudioSocketSessionTest.id(UUID.randomUUID()), AudioSocketSessionTest.slin(0x10, new short[160]),
                AudioSocketSessionTest.frame(0x03, new byte[] {'1'}), AudioSocketSessionTest.slin(0x12, new short[320]));
        List<byte[]> streams = new Mutator(23L).bytes(List.of(good), 3000);
        int closed = 0;
        for (byte[] stream : streams) {
            List<String> closes = new ArrayList<>();
            AudioSocketSession s = new AudioSocketSession(sink, AudioSocketConfig.defaults(), metrics, Runnable::run, closes::add, "corpus");
            if (!s.receive(ByteBuffer.wrap(stream))) closed++;
            s.end();
        }
        assertTrue(metrics.dropCounter("audiosocket").total() > 100, metrics.drops().toString());
        assertTrue(closed > 0, "some mutations break the framing and close the connection");
        // Bad payloads inside good framing do not break the stream: the next message still counts.
        AudioSocketSession s = new AudioSocketSession(sink, AudioSocketConfig.defaults(), metrics, Runnable::run, r -> { }, "after");
        Mutator m = new Mutator(24L);
        s.receive(ByteBuffer.wrap(AudioSocketSessionTest.id(UUID.randomUUID())));
        for (int i = 0; i < 500; i++) {
            byte[] payload = new byte[m.random().nextInt(400)];
            m.random().nextBytes(payload);
            int kind = m.random().nextInt(256);
            if (kind == 0x00) continue;   // a real hangup
            assertTrue(s.receive(ByteBuffer.wrap(AudioSocketSessionTest.frame(kind, payload))));
        }
        RecordingCallSink.Call call = sink.calls().get(sink.calls().size() - 1);
        int before = call.participant("caller") == null ? 0 : call.participant("caller").samples().length;
        s.receive(ByteBuffer.wrap(AudioSocketSessionTest.slin(0x12, new short[320])));
        assertTrue(call.participant("caller").samples().length >= before + 320 - 64, "audio after bad payloads still flows");
        s.end();
    }

    static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) n += p.length;
        ByteBuffer b = ByteBuffer.allocate(n);
        for (byte[] p : parts) b.put(p);
        return b.array();
    }
}
