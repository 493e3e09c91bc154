package org.streamasr.engine.nemotron;

import java.util.ArrayList;
import java.util.List;
import org.streamasr.engine.TimedToken;
import org.streamasr.engine.Utterance;

/**
 * A stream's hypothesis and endpoint rules. Tokens of the open utterance accumulate; after each chunk the text is
 * rendered and, when it changed, sent as a partial. An utterance ends (a final, then the model state is reset as
 * sherpa-onnx does) when it has text and both the decoder (frames since its last emission) and the VAD (when there is
 * one) have seen {@code endpoint-trailing-silence}, or when it reaches {@code max-utterance}. A stream with no text
 * for {@link Rules#idleResetFrames} is reset silently, which bounds how stale its caches get.
 *
 * <p>Language tags feed the decoder like any token but stay out of the text; under "auto" the latest one is the
 * utterance's language. Owned by the stream's worker side.
 */
final class Transcript {

    /** Endpoint rules in encoder frames (and the VAD's trailing silence in samples). */
    record Rules(long trailingFrames, long trailingSamples, long maxUtteranceFrames, long idleResetFrames, long frameMillis) {
    }

    /** What the chunk led to. */
    enum Outcome { NOTHING, PARTIAL, FINAL, RESET }

    private final Vocabulary vocab;
    private final String idPrefix;
    private final String language;
    private final boolean reportsDetected;
    private final Rules rules;
    private int[] ids = new int[64];
    private long[] frames = new long[64];
    private long[] millis = new long[64];
    private int count;
    private int textTokens;
    private int index;
    private String lastText = "";
    private String detected;
    private long lastEmissionFrame = -1;
    private long sinceResetFrames;
    private Utterance pending;

    /**
     * @param language        the stream's resolved language, reported as is unless {@code reportsDetected}
     * @param reportsDetected under "auto" on the multilingual model: report the language of the latest tag
     */
    Transcript(Vocabulary vocab, String idPrefix, String language, boolean reportsDetected, Rules rules) {
        this.vocab = vocab;
        this.idPrefix = idPrefix;
        this.language = language;
        this.reportsDetected = reportsDetected;
        this.rules = rules;
    }

    void add(int id, long frame, long ms) {
        if (count == ids.length) {
            ids = java.util.Arrays.copyOf(ids, count * 2);
            frames = java.util.Arrays.copyOf(frames, count * 2);
            millis = java.util.Arrays.copyOf(millis, count * 2);
        }
        ids[count] = id;
        frames[count] = frame;
        millis[count] = ms;
        count++;
        if (vocab.isLanguageTag(id)) detected = vocab.tagLanguage(id);
        else textTokens++;
        lastEmissionFrame = frame;
    }

    boolean hasText() {
        return textTokens > 0;
    }

    /**
     * After a chunk ending at stream frame {@code frameEnd} (exclusive).
     *
     * @param vadSilenceSamples the VAD's trailing non-speech at the chunk's end, or -1 without a VAD
     */
    Outcome afterChunk(long frameEnd, long vadSilenceSamples, long chunkFrames) {
        sinceResetFrames += chunkFrames;
        long blankFrames = frameEnd - (lastEmissionFrame + 1);
        if (!hasText()) {
            if (sinceResetFrames >= rules.idleResetFrames() && blankFrames >= rules.idleResetFrames()) {
                clear();
                return Outcome.RESET;
            }
            return Outcome.NOTHING;
        }
        boolean silent = blankFrames >= rules.trailingFrames()
                && (vadSilenceSamples < 0 || vadSilenceSamples >= rules.trailingSamples());
        boolean tooLong = frameEnd - frames[firstTextToken()] >= rules.maxUtteranceFrames();
        if (silent || tooLong) {
            pending = utterance();
            clear();
            index++;
            return Outcome.FINAL;
        }
        String text = text();
        if (text.equals(lastText)) return Outcome.NOTHING;
        lastText = text;
        pending = utterance();
        return Outcome.PARTIAL;
    }

    /** The end of the audio: the open utterance as a final, or null when it has no text. */
    Utterance finish() {
        if (!hasText()) return null;
        Utterance u = utterance();
        clear();
        index++;
        return u;
    }

    /** The utterance of the last PARTIAL or FINAL outcome. */
    Utterance pending() {
        return pending;
    }

    private void clear() {
        count = 0;
        textTokens = 0;
        lastText = "";
        sinceResetFrames = 0;
    }

    private int firstTextToken() {
        for (int i = 0; i < count; i++) if (!vocab.isLanguageTag(ids[i])) return i;
        return 0;
    }

    private String text() {
        return vocab.text(ids, count);
    }

    private Utterance utterance() {
        List<TimedToken> tokens = new ArrayList<>(count);
        long start = -1;
        long end = 0;
        for (int i = 0; i < count; i++) {
            if (vocab.isLanguageTag(ids[i])) continue;
            tokens.add(new TimedToken(ids[i], vocab.piece(ids[i]), millis[i]));
            if (start < 0) start = millis[i];
            end = millis[i] + rules.frameMillis();
        }
        String lang = reportsDetected ? detected : language;
        return new Utterance(idPrefix + "-" + index, index, text(), lang, Math.max(start, 0), end, tokens);
    }
}
