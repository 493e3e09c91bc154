package org.streamasr.tools.bench.peer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bench-peer's conference audio: K streams speak at a time, in turns, stream 0 first; the others carry only low
 * noise. Read back through {@link OursPeerRun#readAudio}, as our side of the benchmark reads it.
 */
class ConferenceAudioTest {

    @Test
    void kStreamsSpeakAtATimeAndTheRestIsLowNoise(@TempDir Path dir) throws Exception {
        assumeTrue(Files.isDirectory(ConferenceAudio.LIBRIVOX), "pocketsphinx-testdata is not installed");
        int streams = 8;
        int seconds = 12;
        Path file = ConferenceAudio.write(dir.resolve("a.f32"), streams, 2, seconds);
        float[][] audio = OursPeerRun.readAudio(file, streams, seconds);
        int spoke = 0;
        for (int i = 0; i < streams; i++) {
            boolean speaks = rms(audio[i], 0, audio[i].length) > 0.005;
            if (speaks) spoke++;
            if (!speaks) assertTrue(rms(audio[i], 0, audio[i].length) < 0.001, "stream " + i + " carries only noise");
        }
        assertTrue(spoke >= 2 && spoke < streams, spoke + " of " + streams + " streams speak");
        // stream 0 speaks from 0.5 s; in the first half second every stream is noise
        assertTrue(rms(audio[0], 8_000, 24_000) > 0.005, "stream 0 speaks first");
        for (int i = 0; i < streams; i++) assertTrue(rms(audio[i], 0, 8_000) < 0.001, "noise before the first turn");
        // at no 100 ms step do more than two streams speak at once
        for (int at = 0; at + 1_600 <= seconds * 16_000; at += 1_600) {
            int speaking = 0;
            for (float[] a : audio) if (rms(a, at, at + 1_600) > 0.002) speaking++;
            assertTrue(speaking <= 2, speaking + " streams speak at sample " + at);
        }
        assertEquals(streams * seconds * 16_000L * 4, Files.size(file));
    }

    private static double rms(float[] a, int from, int to) {
        double sum = 0;
        for (int i = from; i < to; i++) sum += a[i] * (double) a[i];
        return Math.sqrt(sum / (to - from));
    }
}
