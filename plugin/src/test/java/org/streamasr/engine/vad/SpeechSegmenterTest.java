package org.streamasr.engine.vad;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SpeechSegmenterTest {
    private static final int W = SileroVadModel.WINDOW;

    @Test
    void startsAfterMinSpeechAndEndsAfterMinSilence() {
        // 250 ms = 8 windows (7.8 rounded up); 100 ms silence = 4 windows (3.1 rounded up); no padding
        SpeechSegmenter s = new SpeechSegmenter(0.5f, 0.35f, 250, 100, 0);
        List<String> log = run(s, "....########....#.......");
        assertEquals(List.of("start@" + 4 * W, "end@" + 12 * W), log);
    }

    @Test
    void shortBlipsAreNotSpeechAndShortPausesDoNotEndIt() {
        SpeechSegmenter s = new SpeechSegmenter(0.5f, 0.35f, 100, 200, 0);
        assertEquals(List.of(), run(s, "..##..#.##..."));
        s = new SpeechSegmenter(0.5f, 0.35f, 100, 200, 0);
        assertEquals(List.of("start@0", "end@" + 13 * W), run(s, "####...###..#......."));
    }

    @Test
    void valuesBetweenTheThresholdsKeepTheCurrentState() {
        SpeechSegmenter s = new SpeechSegmenter(0.5f, 0.35f, 64, 64, 0);
        // '+' = 0.4: neither starts speech nor counts as silence
        assertEquals(List.of("start@" + 3 * W), run(s, "+++##++++++++"));
        assertTrue(s.inSpeech());
        assertEquals(s.finish(20 * W), new SpeechSegmenter.Event(false, 20 * W));
        assertFalse(s.inSpeech());
        assertNull(s.finish(30 * W));
    }

    @Test
    void paddingWidensSegmentsWithinTheStream() {
        // 30 ms = 480 samples of padding; the start cannot go before 0
        SpeechSegmenter s = new SpeechSegmenter(0.5f, 0.35f, 32, 200, 30);
        assertEquals(List.of("start@0", "end@" + (W + 480)), run(s, "#........"));
        s = new SpeechSegmenter(0.5f, 0.35f, 32, 200, 30);
        assertEquals(List.of("start@" + (3 * W - 480), "end@" + (4 * W + 480)), run(s, "...#........"));
    }

    @Test
    void badSettingsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new SpeechSegmenter(0.3f, 0.5f, 0, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new SpeechSegmenter(0.5f, 0.3f, -1, 0, 0));
    }

    /** '#' = 0.9, '+' = 0.4, '.' = 0.05 per window. */
    private static List<String> run(SpeechSegmenter s, String pattern) {
        List<String> log = new ArrayList<>();
        for (char c : pattern.toCharArray()) {
            SpeechSegmenter.Event e = s.update(c == '#' ? 0.9f : c == '+' ? 0.4f : 0.05f);
            if (e != null) log.add((e.speechStart() ? "start@" : "end@") + e.sample());
        }
        return log;
    }
}
