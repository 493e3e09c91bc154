package org.streamasr.engine.nemotron;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.FloatBuffer;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.streamasr.engine.features.LogMelExtractor;
import org.streamasr.runtime.AudioInbox;

/**
 * The encoder windows a stream's {@link ChunkFeeder} emits, fed in random packet sizes, are slices of one
 * {@link LogMelExtractor} pass over the whole signal: window k holds mel frames {@code [k*shift - pre, (k+1)*shift)}
 * with {@code pre = window_size - chunk_shift}; frames before the signal (the first window's pre-encode frames) are
 * the log-mel of digital silence, and so are the frames past its end that complete the last window and the
 * {@code tail} frames of the flush.
 */
class ChunkFeederTest {
    private static final int MELS = LogMelExtractor.N_MELS;

    private static EncoderContract geometry(int window, int shift) {
        return new EncoderContract(shift * 10, window, shift, 8, shift / 8, MELS, 16, 1, 4, 32, 1, 32, 8, 2, 8,
                Map.of(), -1, "test");
    }

    /** Speech-like test signal: noise bursts and a chirp, so neighbouring frames all differ. */
    private static float[] signal(int samples, long seed) {
        Random r = new Random(seed);
        float[] x = new float[samples];
        for (int i = 0; i < samples; i++) {
            double burst = (i / 4000) % 2 == 0 ? 0.3 : 0.02;
            x[i] = (float) (burst * r.nextGaussian() * 0.3 + 0.2 * Math.sin(2 * Math.PI * (200 + i * 0.05) * i / 16000.0));
        }
        return x;
    }

    /** One pass over the whole signal: {@code floor(L / 160)} frames, row-major [frame][mel]. */
    private static float[] reference(float[] x) {
        LogMelExtractor mel = new LogMelExtractor();
        mel.accept(x, 0, x.length);
        mel.finish();
        int frames = (int) LogMelExtractor.frameCount(x.length);
        float[] out = new float[frames * MELS];
        assertEquals(frames, mel.poll(out, 0, frames));
        return out;
    }

    /** Window k as the encoder wants it, [mel][window], from the reference frames. */
    private static float[] expectedWindow(float[] ref, int k, int window, int shift) {
        int frames = ref.length / MELS;
        int pre = window - shift;
        float[] w = new float[MELS * window];
        for (int t = 0; t < window; t++) {
            int frame = k * shift - pre + t;
            for (int m = 0; m < MELS; m++) {
                w[m * window + t] = frame < 0 || frame >= frames ? ChunkFeeder.SILENCE : ref[frame * MELS + m];
            }
        }
        return w;
    }

    private static float[] emitted(ChunkFeeder feeder, int window) {
        FloatBuffer b = FloatBuffer.allocate(MELS * window);
        feeder.windowInto(b, 0);
        return b.array();
    }

    @ParameterizedTest(name = "window {0}, shift {1}, tail {2}, {3} samples")
    @CsvSource({
            "17, 8, 40, 48077",     // 80 ms chunks, the real geometry (pre-encode 9)
            "25, 16, 40, 33333",    // 160 ms
            "41, 32, 40, 40159",    // 320 ms
            "65, 56, 40, 52000",    // 560 ms, a length of whole hops
            "121, 112, 40, 60001",  // 1120 ms
            "121, 112, 0, 17920",   // no tail padding, audio ending on a chunk boundary
            "19, 16, 7, 9999",      // another pre-encode width (3)
            "17, 8, 40, 150",       // shorter than one hop: no frame at all
    })
    void windowsAreSlicesOfOnePassOverTheWholeSignal(int window, int shift, int tail, int samples) {
        for (long seed = 1; seed <= 3; seed++) {
            float[] x = signal(samples, seed);
            float[] ref = reference(x);
            int frames = ref.length / MELS;
            Random packets = new Random(seed * 31 + window);
            ChunkFeeder feeder = new ChunkFeeder(geometry(window, shift), null);
            AudioInbox inbox = new AudioInbox(samples + 1);
            int k = 0;
            for (int at = 0; at < samples; ) {
                int n = Math.min(samples - at, 1 + packets.nextInt(packets.nextBoolean() ? 400 : 5000));
                inbox.offer(x, at, n);
                at += n;
                // with or without the VAD's look-ahead, which only changes how far the feeder reads ahead
                long extra = packets.nextBoolean() ? 0 : packets.nextInt(4000);
                while (feeder.fill(inbox, false, extra)) {
                    int lastFrame = (k + 1) * shift - 1;
                    assertTrue(LogMelExtractor.samplesNeeded(lastFrame) <= at, "window " + k + " before its samples were in");
                    assertArrayEquals(expectedWindow(ref, k, window, shift), emitted(feeder, window), "window " + k);
                    feeder.advance();
                    k++;
                }
            }
            if (frames == 0) assertFalse(feeder.needsChunkAfterEnd(samples, tail), "no frame, nothing to flush");
            while (feeder.needsChunkAfterEnd(samples, tail)) {
                assertTrue(feeder.fill(inbox, true, 0), "the end completes window " + k + " with silence");
                assertArrayEquals(expectedWindow(ref, k, window, shift), emitted(feeder, window), "flushed window " + k);
                feeder.advance();
                k++;
            }
            int expectedWindows = frames == 0 ? 0 : (frames + tail + shift - 1) / shift;
            assertEquals(expectedWindows, k, "windows cover every frame plus the tail, and no more");
            assertEquals(samples, feeder.fed(), "every sample went to the extractor");
        }
    }

    @Test
    void theFirstWindowWaitsForItsLastFrameAndStartsWithSilence() {
        int window = 17;
        ChunkFeeder feeder = new ChunkFeeder(geometry(window, 8), null);
        AudioInbox inbox = new AudioInbox(16_000);
        float[] x = signal(16_000, 9);
        int needed = (int) LogMelExtractor.samplesNeeded(7);
        assertEquals(7 * 160 + 200, needed, "mel frame 7, the chunk's last, reads up to sample 160 * 7 + 200");
        inbox.offer(x, 0, needed - 1);
        assertFalse(feeder.fill(inbox, false, 0), "one sample short");
        inbox.offer(x, needed - 1, 1);
        assertTrue(feeder.fill(inbox, false, 0));
        float[] w = emitted(feeder, window);
        float[] ref = reference(java.util.Arrays.copyOf(x, needed + 200));
        for (int m = 0; m < MELS; m++) {
            for (int t = 0; t < 9; t++) assertEquals(ChunkFeeder.SILENCE, w[m * window + t], "pre-encode frame " + t);
            for (int t = 9; t < window; t++) assertEquals(ref[(t - 9) * MELS + m], w[m * window + t], "frame " + (t - 9));
        }
    }

    @Test
    void anEmptyStreamNeedsNoWindow() {
        ChunkFeeder feeder = new ChunkFeeder(geometry(17, 8), null);
        assertFalse(feeder.needsChunkAfterEnd(0, 40));
        assertFalse(feeder.needsChunkAfterEnd(159, 40), "no whole hop, no frame");
        assertTrue(feeder.needsChunkAfterEnd(160, 40));
    }
}
