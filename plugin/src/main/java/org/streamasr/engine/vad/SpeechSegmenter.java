package org.streamasr.engine.vad;

/**
 * Turns a stream's VAD probabilities (one per 512-sample window) into speech start and end events with hysteresis:
 * speech starts once probabilities stay at or above {@code threshold} for {@code minSpeechMillis}, and ends once
 * they stay below {@code negThreshold} for {@code minSilenceMillis}; values in between keep the current state. The
 * rules follow silero-vad's {@code get_speech_timestamps} (negative threshold = threshold - 0.15 by default), applied
 * online. Event times are sample positions on the stream's clock, widened by {@code padMillis} on each side.
 * Not thread-safe: one per stream.
 */
public final class SpeechSegmenter {

    /** A change of state at {@code sample} (16 kHz). */
    public record Event(boolean speechStart, long sample) {
        public long millis() {
            return sample * 1000 / SileroVadModel.SAMPLE_RATE;
        }
    }

    private final float threshold;
    private final float negThreshold;
    private final long minSpeechSamples;
    private final long minSilenceSamples;
    private final long padSamples;

    private long windows;
    private boolean inSpeech;
    private long candidateStart = -1;
    private long silenceStart = -1;
    private long lastStart;

    /** silero-vad's defaults: threshold 0.5, negative threshold 0.35, 250 ms speech, 100 ms silence, 30 ms pad. */
    public static SpeechSegmenter withDefaults() {
        return new SpeechSegmenter(0.5f, 0.35f, 250, 100, 30);
    }

    public SpeechSegmenter(float threshold, float negThreshold, int minSpeechMillis, int minSilenceMillis, int padMillis) {
        if (!(threshold > 0 && threshold < 1) || !(negThreshold > 0 && negThreshold <= threshold)) {
            throw new IllegalArgumentException("VAD thresholds need 0 < negThreshold <= threshold < 1, got "
                    + negThreshold + " and " + threshold);
        }
        if (minSpeechMillis < 0 || minSilenceMillis < 0 || padMillis < 0) {
            throw new IllegalArgumentException("VAD durations must not be negative");
        }
        this.threshold = threshold;
        this.negThreshold = negThreshold;
        this.minSpeechSamples = (long) minSpeechMillis * SileroVadModel.SAMPLE_RATE / 1000;
        this.minSilenceSamples = (long) minSilenceMillis * SileroVadModel.SAMPLE_RATE / 1000;
        this.padSamples = (long) padMillis * SileroVadModel.SAMPLE_RATE / 1000;
    }

    /** Feeds the probability of the next window; returns the event it caused, or null. */
    public Event update(float probability) {
        long start = windows * SileroVadModel.WINDOW;
        long end = start + SileroVadModel.WINDOW;
        windows++;
        if (!inSpeech) {
            if (probability < threshold) {
                candidateStart = -1;
                return null;
            }
            if (candidateStart < 0) candidateStart = start;
            if (end - candidateStart < Math.max(minSpeechSamples, 1)) return null;
            inSpeech = true;
            silenceStart = -1;
            lastStart = Math.max(0, candidateStart - padSamples);
            candidateStart = -1;
            return new Event(true, lastStart);
        }
        if (probability >= threshold) {
            silenceStart = -1;
            return null;
        }
        if (probability >= negThreshold) return null;
        if (silenceStart < 0) silenceStart = start;
        if (end - silenceStart < Math.max(minSilenceSamples, 1)) return null;
        inSpeech = false;
        return new Event(false, Math.min(silenceStart + padSamples, end));
    }

    /** End of the stream: closes an open speech segment at {@code endSample}. */
    public Event finish(long endSample) {
        if (!inSpeech) return null;
        inSpeech = false;
        return new Event(false, Math.max(lastStart, endSample));
    }

    public boolean inSpeech() {
        return inSpeech;
    }

    /** Trailing non-speech so far while in speech (samples since probabilities fell below the negative threshold). */
    public long trailingSilenceSamples() {
        return inSpeech && silenceStart >= 0 ? windows * SileroVadModel.WINDOW - silenceStart : 0;
    }
}
