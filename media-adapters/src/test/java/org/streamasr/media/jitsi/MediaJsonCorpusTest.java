package org.streamasr.media.jitsi;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.streamasr.media.MediaMetrics;
import org.streamasr.media.adapter.ConnectionInfo;
import org.streamasr.media.adapter.Mutator;
import org.streamasr.media.adapter.RecordingOutbound;
import org.streamasr.media.opus.OpusFrameDecoder;
import org.streamasr.testing.LeakCheckExtension;
import org.streamasr.testing.RecordingCallSink;

/** Thousands of malformed MEDIAJSON messages (seeded mutations of real ones), then good input that must still work. */
class MediaJsonCorpusTest {
    @BeforeAll
    static void trackDecoders() {
        LeakCheckExtension.track("opus decoders", OpusFrameDecoder::openCount);
    }

    @Test
    void mutatedMessagesNeverThrowAndTheStreamGoesOn() throws Exception {
        RecordingCallSink sink = new RecordingCallSink();
        MediaMetrics metrics = new MediaMetrics();
        MediaJsonSession s = MediaJsonSession.open(sink, MediaJsonConfig.defaults(), ConnectionInfo.of("/mediajson", Map.of(), Map.of()),
                new RecordingOutbound(), metrics, Runnable::run, () -> 0L);
        String opusStart = MediaJsonSessionTest.start("ep-1", "ep").replace("L16", "opus").replace("16000", "48000").replace("\"channels\":1", "\"channels\":2");
        byte[] opus = BrowserOpusEncoder.encode(new short[1600]).get(3);
        String opusMedia = "{\"event\":\"media\",\"sequenceNumber\":\"2\",\"media\":{\"tag\":\"ep-1\",\"chunk\":\"7\",\"timestamp\":\"960\","
                + "\"payload\":\"" + Base64.getEncoder().encodeToString(opus) + "\"}}";
        List<String> seeds = List.of(opusStart, opusMedia, MediaJsonSessionTest.media("ep-1", 8, 1920, (short) 3),
                "{\"event\":\"ping\",\"id\":5}", "{\"event\":\"stop\",\"stop\":{\"tag\":\"ep-1\",\"timestamp\":\"1920\"}}",
                "{\"event\":\"info\",\"version\":\"1\"}", MediaJsonSessionTest.start("l16-1", "l16"));
        s.onText(opusStart);
        s.onText(opusMedia);
        for (String m : new Mutator(20261124L).texts(seeds, 4000)) s.onText(m);
        assertTrue(metrics.dropCounter("mediajson").total() > 1000, metrics.drops().toString());

        s.onText(MediaJsonSessionTest.start("good-1", "good"));
        s.onText(MediaJsonSessionTest.media("good-1", 1, 0, (short) 9));
        RecordingCallSink.Participant good = sink.awaitCall(0).participant("good");
        assertTrue(good != null && good.samples().length == 320 && good.samples()[0] == 9, "good input after the corpus still works");
        s.onClosed(1000, "done");
    }
}
