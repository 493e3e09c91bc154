package org.streamasr.media.codec;

/**
 * Loss concealment for waveform codecs (G.711, G.722, L16) that have none of their own: repeats the last pitch
 * period of the received signal, fading it out over {@value #FADE_MS} ms, then silence. This is a simplified form of
 * ITU-T G.711 Appendix I (pitch repetition with attenuation, no overlap-add): enough to keep a short loss from
 * sounding like a hard edge to a recogniser, and never inventing more than {@value #FADE_MS} ms of signal.
 *
 * <p>The decoder calls {@link #remember} with every block it outputs and {@link #conceal} for every gap.
 */
public final class WaveformConcealer {
    static final int FADE_MS = 20;
    private static final int HISTORY_MS = 30;
    private static final int MIN_PITCH_HZ = 66;
    private static final int MAX_PITCH_HZ = 400;

    private final short[] history;
    private final int minLag;
    private final int maxLag;
    private final int fadeSamples;
    private int filled;
    /** Samples already synthesised since the last received audio; the fade continues across calls. */
    private int concealedRun;
    private int period;

    public WaveformConcealer(int sampleRate) {
        history = new short[sampleRate * HISTORY_MS / 1000];
        minLag = Math.max(1, sampleRate / MAX_PITCH_HZ);
        maxLag = Math.min(history.length / 2, sampleRate / MIN_PITCH_HZ);
        fadeSamples = sampleRate * FADE_MS / 1000;
    }

    /** Records decoded output so that a later loss can continue it. */
    public void remember(short[] pcm, int off, int len) {
        concealedRun = 0;
        period = 0;
        if (len >= history.length) {
            System.arraycopy(pcm, off + len - history.length, history, 0, history.length);
            filled = history.length;
            return;
        }
        int keep = Math.min(filled, history.length - len);
        System.arraycopy(history, filled - keep, history, 0, keep);
        System.arraycopy(pcm, off, history, keep, len);
        filled = keep + len;
    }

    /** Writes {@code samples} samples of concealment into {@code out} from index 0. */
    public int conceal(short[] out, int samples) {
        if (filled < history.length || concealedRun >= fadeSamples) {
            java.util.Arrays.fill(out, 0, samples, (short) 0);
            concealedRun += samples;
            return samples;
        }
        if (period == 0) period = estimatePeriod();
        for (int i = 0; i < samples; i++) {
            int k = concealedRun + i;
            if (k >= fadeSamples) {
                out[i] = 0;
                continue;
            }
            int src = history.length - period + (k % period);
            double gain = 1.0 - (double) k / fadeSamples;
            out[i] = (short) Math.round(history[src] * gain);
        }
        concealedRun += samples;
        return samples;
    }

    /** The lag with the highest normalised autocorrelation over the last pitch range: one pitch period. */
    private int estimatePeriod() {
        int n = history.length;
        int win = maxLag;
        double best = -1;
        int bestLag = maxLag;
        for (int lag = minLag; lag <= maxLag; lag++) {
            double num = 0;
            double den = 1e-9;
            for (int i = n - win; i < n; i++) {
                num += (double) history[i] * history[i - lag];
                den += (double) history[i - lag] * history[i - lag];
            }
            double score = num / Math.sqrt(den);
            if (score > best) {
                best = score;
                bestLag = lag;
            }
        }
        return bestLag;
    }
}
