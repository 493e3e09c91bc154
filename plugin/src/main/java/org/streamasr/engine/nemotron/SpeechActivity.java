package org.streamasr.engine.nemotron;

import org.streamasr.engine.vad.SileroVadModel;

/**
 * One stream's recent Silero VAD probabilities (one per 512-sample window, on the stream's feature clock) and where
 * its last speech ended. Enough history for the widest chunk plus margins.
 */
final class SpeechActivity {
    /** Silero's own speech threshold. */
    static final float SPEECH = 0.5f;
    private static final int WINDOW = SileroVadModel.WINDOW;
    private static final int HISTORY = 256;

    private final float[] recent = new float[HISTORY];
    private long evaluated;

    void add(float probability) {
        recent[(int) (evaluated % HISTORY)] = probability;
        evaluated++;
    }

    /** Samples covered by evaluated windows. */
    long evaluatedSamples() {
        return evaluated * WINDOW;
    }

    /**
     * The highest speech probability of the windows overlapping samples {@code [from, to)}, or 1 when one of them
     * is not evaluated yet or no longer remembered (so that uncertainty never counts as silence).
     */
    float maxOver(long from, long to) {
        long first = Math.max(0, from) / WINDOW;
        long last = (Math.max(to, 1) - 1) / WINDOW;
        if (last >= evaluated || first < evaluated - HISTORY) return 1f;
        float max = 0f;
        for (long w = first; w <= last; w++) max = Math.max(max, recent[(int) (w % HISTORY)]);
        return max;
    }

    /**
     * Samples of non-speech before {@code at}, by the VAD: from the end of the last speech window that starts before
     * {@code at} (windows past {@code at}, evaluated ahead, do not count). When the speech is older than the history,
     * the history's length is a lower bound.
     */
    long silenceBefore(long at) {
        long oldest = Math.max(0, evaluated - HISTORY);
        for (long w = Math.min(evaluated, (at + WINDOW - 1) / WINDOW) - 1; w >= oldest; w--) {
            if (recent[(int) (w % HISTORY)] >= SPEECH) return Math.max(0, at - (w + 1) * WINDOW);
        }
        return Math.max(0, at - oldest * WINDOW);
    }
}
