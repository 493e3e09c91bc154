package org.streamasr.stream;

import java.util.ArrayList;
import java.util.List;
import java.util.function.LongUnaryOperator;
import java.util.regex.Pattern;
import org.streamasr.engine.TimedToken;
import org.streamasr.media.TranscriptEvent.WordTiming;

/**
 * Groups an utterance's tokens into words with times. SentencePiece pieces (nemotron) start a word with "▁" and
 * continue it otherwise; word-level engines (sphinx, token id -1) give one word per token. Language tags and
 * filler markers ({@code <en-US>}, {@code <sil>}, {@code [NOISE]}) are not words.
 */
public final class TranscriptWords {
    private static final char WORD_START = '\u2581';
    private static final Pattern MARKER = Pattern.compile("<[^>]*>|\\[[^]]*]");

    private TranscriptWords() {
    }

    /**
     * @param endMs   end of the utterance, which ends its last word
     * @param toMedia maps a time on the stream's clock to the media clock (ms)
     */
    public static List<WordTiming> of(List<TimedToken> tokens, long endMs, LongUnaryOperator toMedia) {
        List<String> texts = new ArrayList<>();
        List<Long> starts = new ArrayList<>();
        StringBuilder word = null;
        for (TimedToken t : tokens) {
            String text = t.text();
            if (text == null || text.isEmpty() || MARKER.matcher(text.trim()).matches()) continue;
            boolean startsWord = t.id() < 0 || word == null || text.charAt(0) == WORD_START;
            String clean = text.replace(WORD_START, ' ').strip();
            if (startsWord) {
                if (word != null && word.length() > 0) texts.add(word.toString());
                else if (word != null) starts.remove(starts.size() - 1);
                word = new StringBuilder(clean);
                starts.add(t.startMs());
            } else {
                word.append(clean);
            }
        }
        if (word != null && word.length() > 0) texts.add(word.toString());
        else if (word != null) starts.remove(starts.size() - 1);

        List<WordTiming> out = new ArrayList<>(texts.size());
        for (int i = 0; i < texts.size(); i++) {
            long start = starts.get(i);
            long end = i + 1 < texts.size() ? starts.get(i + 1) : Math.max(endMs, start);
            out.add(new WordTiming(texts.get(i), toMedia.applyAsLong(start), toMedia.applyAsLong(end)));
        }
        return out;
    }
}
