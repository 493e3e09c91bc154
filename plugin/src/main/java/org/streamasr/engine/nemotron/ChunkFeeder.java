package org.streamasr.engine.nemotron;

import java.nio.FloatBuffer;
import java.util.Arrays;
import org.streamasr.engine.features.LogMelExtractor;
import org.streamasr.engine.vad.VadStream;
import org.streamasr.runtime.AudioInbox;

/**
 * One stream's way from samples to encoder windows (contract 2.1, 2.4, 7.4, 7.5). Holds the log-mel extractor, the VAD
 * stream and the current window of {@code window_size} mel frames.
 *
 * <p>Geometry: window k covers mel frames {@code [k*shift - pre, (k+1)*shift)} where {@code pre = window_size -
 * chunk_shift} (9): the encoder drops the outputs of those first {@code pre} frames, so window k yields exactly the
 * output frames of mel frames {@code [k*shift, (k+1)*shift)} and output frame j of the stream is mel frames
 * {@code [8j, 8j+8)}. Before the first window, {@code pre} frames of digital silence stand in for the missing
 * history (the log-mel of zeros, {@code ln(2^-24)}), rather than spending the first 90 ms of audio as cache as
 * sherpa-onnx does. At the end of the audio the last window is completed with silence frames, plus
 * {@code tailFrames} more so that the decoder can emit the last word's pieces; these flushing windows are the
 * "final short window" of the contract done without a variable-length graph.
 *
 * <p>Owned by the stream's worker side; one thread at a time.
 */
final class ChunkFeeder {
    /** ln(0 + 2^-24): the log-mel of silence with NeMo's additive guard. */
    static final float SILENCE = (float) Math.log(0x1p-24);
    private static final int HOP = 160;

    private final int windowSize;
    private final int shift;
    private final int pre;
    private final int feat;
    private final LogMelExtractor mel = new LogMelExtractor();
    private final VadStream vad;
    private final SpeechActivity activity = new SpeechActivity();
    private final float[] window;
    private final float[] samples = new float[8192];
    private final float[] probabilities = new float[64];
    private int filled;
    private long chunks;
    private long fed;
    private boolean ended;

    ChunkFeeder(EncoderContract c, VadStream vad) {
        this.windowSize = c.windowSize();
        this.shift = c.chunkShift();
        this.pre = c.preEncode();
        this.feat = c.featDim();
        this.vad = vad;
        this.window = new float[windowSize * feat];
        Arrays.fill(window, 0, pre * feat, SILENCE);
        this.filled = pre;
    }

    /** Chunks consumed so far. */
    long chunks() {
        return chunks;
    }

    int shift() {
        return shift;
    }

    /** Samples fed to the extractor (the feature clock; drops excluded). */
    long fed() {
        return fed;
    }

    VadStream vad() {
        return vad;
    }

    SpeechActivity activity() {
        return activity;
    }

    /** Feature-clock samples the next window needs while the audio is still open. */
    long samplesForNextChunk() {
        return LogMelExtractor.samplesNeeded((chunks + 1) * shift - 1);
    }

    /** Feature-clock sample span of the next chunk's own output frames: {@code [from, to)}. */
    long chunkStartSample() {
        return chunks * shift * HOP;
    }

    long chunkEndSample() {
        return (chunks + 1) * shift * HOP;
    }

    /**
     * Whether the audio, once ended at {@code totalSamples} feature-clock samples, still needs a window: until the
     * chunks cover every real frame plus {@code tailFrames} of silence. An empty stream needs none.
     */
    boolean needsChunkAfterEnd(long totalSamples, int tailFrames) {
        long real = LogMelExtractor.frameCount(totalSamples);
        return real > 0 && chunks * shift < real + tailFrames;
    }

    /**
     * Takes from the inbox what the next window needs (and up to {@code extraSamples} beyond it, for the VAD's
     * look-ahead) and computes its mel frames; once the audio has ended and the inbox is empty, completes the window
     * with silence.
     *
     * @return true when the window is complete
     */
    boolean fill(AudioInbox inbox, boolean ending, long extraSamples) {
        // take only what this window needs, also at the end: the VAD must not run far ahead of the chunks
        long want = samplesForNextChunk() + extraSamples - fed;
        while (want > 0) {
            int n = feed(inbox, (int) Math.min(want, samples.length));
            if (n == 0) break;
            want -= n;
        }
        if (ending && !ended && inbox.available() == 0) {
            ended = true;
            mel.finish();
            if (vad != null) vad.finish();
        }
        int n = mel.poll(window, filled * feat, windowSize - filled);
        filled += n;
        if (ended && filled < windowSize && mel.framesAvailable() == 0) {
            Arrays.fill(window, filled * feat, windowSize * feat, SILENCE);
            filled = windowSize;
        }
        return filled == windowSize;
    }

    private int feed(AudioInbox inbox, int max) {
        int n = inbox.take(samples, Math.min(max, samples.length));
        if (n > 0) {
            mel.accept(samples, 0, n);
            if (vad != null) vad.accept(samples, 0, n);
            fed += n;
        }
        return n;
    }

    /** Moves the VAD's new probabilities into the activity history. */
    void collectVad() {
        if (vad == null) return;
        int n;
        while ((n = vad.poll(probabilities, 0, probabilities.length)) > 0) {
            for (int i = 0; i < n; i++) activity.add(probabilities[i]);
        }
    }

    /** Writes the window, transposed to the encoder's {@code [feat, window]}, as row {@code row} of a batch. */
    void windowInto(FloatBuffer audio, int row) {
        int base = row * feat * windowSize;
        for (int f = 0; f < feat; f++) {
            int at = base + f * windowSize;
            for (int t = 0; t < windowSize; t++) audio.put(at + t, window[t * feat + f]);
        }
    }

    /** The window was consumed: keep its last {@code pre} frames as the next window's pre-encode frames. */
    void advance() {
        System.arraycopy(window, (windowSize - pre) * feat, window, 0, pre * feat);
        filled = pre;
        chunks++;
    }
}
