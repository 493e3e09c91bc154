package org.streamasr.tools.testmodel;

import java.util.ArrayList;
import java.util.List;

/**
 * Audio for a target text on a constructed model, and the transcript the model must produce from it.
 *
 * <p>Each piece is a tone in its band (see {@link ToneVocabulary}) starting on an 80 ms output-frame boundary,
 * lasting 140 ms, then 100 ms of silence, so an onset falls in exactly one output frame. German utterances carry
 * the pilot tone throughout. Utterances are separated by pauses long enough for the engine's endpoint, after which
 * the decoder state restarts (the piece parity starts again at 0).
 */
public final class ToneScript {
    /** The engine's input rate and mel bin count (LogMelExtractor's; ToneScriptCalibrationTest checks they agree). */
    public static final int SAMPLE_RATE = 16_000;
    public static final int N_MELS = 128;
    /** One encoder output frame: 8 mel frames of 10 ms. */
    public static final int FRAME_SAMPLES = 1280;
    public static final int FRAME_MILLIS = 80;
    private static final int TONE_FRAMES = 2;
    private static final int SLOT_FRAMES = 3;
    private static final int TAIL_GUARD = 320;
    private static final int RAMP = 32;
    /** The log-mel value a tone reaches in its own bin. */
    public static final double TARGET_LOG_MEL = 2.5;
    /**
     * Per band, the amplitude that puts the band's own log-mel bin at {@link #TARGET_LOG_MEL}: measured once through
     * the engine's LogMelExtractor (a 0.05 probe tone at the bin's centre, frame 25), kept here so the kit needs no
     * engine class; the plugin's ToneScriptCalibrationTest measures them again and fails when the front end drifts.
     */
    private static final double[] AMPLITUDES = {
            0.3669897993501908, 0.3388958085805567, 0.3103452476669917, 0.2932727455672016, 0.261558099868133,
            0.2575143063679898, 0.24164474637952504, 0.2285328222874882, 0.2170494434193207, 0.20628063818466394,
            0.19773209318618976, 0.19150594423235157, 0.18247739816446149, 0.17898444033966632, 0.1793154240799727,
            0.17757835846396106, 0.18206843777267934};

    /** A piece as the script spells it: the band and the decoder parity that select it. */
    public record ScriptToken(int utterance, int band, int parity, int frame) {
        public long startMs() {
            return (long) frame * FRAME_MILLIS;
        }
    }

    /** What the engine must report for one utterance. */
    public record Expected(String text, String language, List<String> pieces, List<Long> startMs) {
    }

    private record Spoken(ToneVocabulary.Group group, List<String> pieces) {
    }

    private final TestModelVariant variant;
    private final float[] samples;
    private final List<Spoken> utterances;
    private final List<ScriptToken> tokens;

    private ToneScript(TestModelVariant variant, float[] samples, List<Spoken> utterances, List<ScriptToken> tokens) {
        this.variant = variant;
        this.samples = samples;
        this.utterances = utterances;
        this.tokens = tokens;
    }

    public static Builder builder(TestModelVariant variant) {
        return new Builder(variant);
    }

    /** One English utterance with the default silences. */
    public static ToneScript of(TestModelVariant variant, String text) {
        return builder(variant).say("en-US", text).build();
    }

    public float[] samples() {
        return samples.clone();
    }

    public List<ScriptToken> tokens() {
        return tokens;
    }

    /**
     * The utterances a stream opened with {@code language} must report: under "auto" the spoken language and, for
     * the ML model, its language; a forced language picks that language's pieces for the same tones.
     */
    public List<Expected> expected(String language) {
        boolean auto = language == null || language.equalsIgnoreCase("auto");
        List<Expected> out = new ArrayList<>();
        String detected = null;
        for (int u = 0; u < utterances.size(); u++) {
            ToneVocabulary.Group group = variant == TestModelVariant.EN ? ToneVocabulary.Group.ENGLISH
                    : auto ? utterances.get(u).group() : ToneVocabulary.Group.forLanguage(language);
            List<String> pieces = new ArrayList<>();
            List<Long> times = new ArrayList<>();
            for (ScriptToken t : tokens) {
                if (t.utterance() != u) continue;
                pieces.add(group.piece(t.band(), t.parity()));
                times.add(t.startMs());
            }
            String tagged = tagLanguage(group, pieces);
            if (tagged != null) detected = tagged;
            String reported = !auto ? language : variant == TestModelVariant.ML ? detected : "en-US";
            out.add(new Expected(ToneVocabulary.render(pieces), reported, pieces, times));
        }
        return out;
    }

    /** The texts of {@link #expected(String)}. */
    public List<String> expectedTexts(String language) {
        return expected(language).stream().map(Expected::text).toList();
    }

    /**
     * Under auto the ML model reports a language once it has emitted a tag (after terminal punctuation), and keeps
     * reporting it for later utterances until another tag comes.
     */
    private static String tagLanguage(ToneVocabulary.Group group, List<String> pieces) {
        for (String p : pieces) if (ToneVocabulary.isTerminal(p)) return group.locale();
        return null;
    }

    public static final class Builder {
        private final TestModelVariant variant;
        private final List<Spoken> spoken = new ArrayList<>();
        private final List<Integer> pausesAfter = new ArrayList<>();
        private int leadingFrames = 4;
        private int pauseFrames = 30;
        private int trailingFrames = 13;

        private Builder(TestModelVariant variant) {
            this.variant = variant;
        }

        /** Silence before the first piece, rounded down to 80 ms frames. */
        public Builder leadingSilenceMillis(int ms) {
            leadingFrames = ms / FRAME_MILLIS;
            return this;
        }

        /** Silence between utterances (default 2.4 s: longer than the default endpoint plus one 1120 ms chunk). */
        public Builder pauseMillis(int ms) {
            pauseFrames = ms / FRAME_MILLIS;
            return this;
        }

        public Builder trailingSilenceMillis(int ms) {
            trailingFrames = ms / FRAME_MILLIS;
            return this;
        }

        /** An utterance in "en-US" or "de-DE" (German needs the ML variant). */
        public Builder say(String language, String text) {
            ToneVocabulary.Group group = ToneVocabulary.Group.forLanguage(language);
            if (group == ToneVocabulary.Group.GERMAN && variant != TestModelVariant.ML) {
                throw new IllegalArgumentException("German needs the ml variant");
            }
            spoken.add(new Spoken(group, ToneVocabulary.tokenize(text, group)));
            pausesAfter.add(pauseFrames);
            return this;
        }

        /** Silence after the utterance said last, instead of the default pause. */
        public Builder thenPauseMillis(int ms) {
            pausesAfter.set(pausesAfter.size() - 1, ms / FRAME_MILLIS);
            return this;
        }

        public ToneScript build() {
            List<ScriptToken> tokens = new ArrayList<>();
            int frame = leadingFrames;
            for (int u = 0; u < spoken.size(); u++) {
                List<String> pieces = spoken.get(u).pieces();
                for (int i = 0; i < pieces.size(); i++) {
                    int parity = i % 2;
                    tokens.add(new ScriptToken(u, spoken.get(u).group().band(pieces.get(i), parity), parity, frame));
                    frame += SLOT_FRAMES;
                }
                frame += u == spoken.size() - 1 ? trailingFrames : pausesAfter.get(u);
            }
            float[] audio = new float[frame * FRAME_SAMPLES];
            for (ScriptToken t : tokens) {
                tone(audio, t.band(), t.frame() * FRAME_SAMPLES, (t.frame() + TONE_FRAMES) * FRAME_SAMPLES - TAIL_GUARD);
            }
            for (int u = 0; u < spoken.size(); u++) {
                if (spoken.get(u).group() != ToneVocabulary.Group.GERMAN) continue;
                int first = Integer.MAX_VALUE;
                int last = 0;
                for (ScriptToken t : tokens) {
                    if (t.utterance() != u) continue;
                    first = Math.min(first, t.frame());
                    last = Math.max(last, t.frame());
                }
                tone(audio, ToneVocabulary.PILOT_BAND, (first - 1) * FRAME_SAMPLES, (last + SLOT_FRAMES) * FRAME_SAMPLES - TAIL_GUARD);
            }
            return new ToneScript(variant, audio, List.copyOf(spoken), List.copyOf(tokens));
        }
    }

    /** Adds a tone in {@code band} over samples [from, to) with short raised-cosine ramps. */
    private static void tone(float[] audio, int band, int from, int to) {
        double f = melCentreHz(ToneVocabulary.melBin(band));
        double a = amplitude(band);
        for (int n = from; n < to && n < audio.length; n++) {
            int k = n - from;
            double ramp = Math.min(1, Math.min(k, to - 1 - n) / (double) RAMP);
            double env = 0.5 - 0.5 * Math.cos(Math.PI * ramp);
            audio[n] += (float) (a * env * Math.sin(2 * Math.PI * f * k / SAMPLE_RATE));
        }
    }

    /** Centre frequency of Slaney mel filter {@code bin} of 128 over 0..8 kHz (librosa's {@code mel_frequencies}). */
    public static double melCentreHz(int bin) {
        double top = hzToMel(SAMPLE_RATE / 2.0);
        return melToHz(top * (bin + 1) / (N_MELS + 1));
    }

    private static double hzToMel(double f) {
        return f < 1000 ? f / (200.0 / 3) : 15 + Math.log(f / 1000) / (Math.log(6.4) / 27);
    }

    private static double melToHz(double m) {
        return m < 15 ? m * 200.0 / 3 : 1000 * Math.exp((m - 15) * Math.log(6.4) / 27);
    }

    /** The tone amplitude of {@code band} (0..{@link ToneVocabulary#PILOT_BAND}). */
    public static double amplitude(int band) {
        return AMPLITUDES[band];
    }
}
