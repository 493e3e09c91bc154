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
    private long lastSpeechEnd = -1;

    void add(float probability) {
        recent[(int) (evaluated % HISTORY)] = probability;
        evaluated++;
        if (probability >= SPEECH) lastSpeechEnd = evaluated * WINDOW;
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

    /** Samples of non-speech before {@code at}, by the VAD. */
    long silenceBefore(long at) {
        return lastSpeechEnd < 0 ? at : Math.max(0, at - lastSpeechEnd);
    }
}
