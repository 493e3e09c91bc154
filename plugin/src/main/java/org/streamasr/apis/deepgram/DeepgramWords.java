package org.streamasr.apis.deepgram;

import com.fasterxml.jackson.databind.node.ArrayNode;
import java.util.List;
import java.util.Locale;
import org.streamasr.media.TranscriptEvent.WordTiming;

/**
 * Deepgram's {@code words[]}: {@code word} in lower case without surrounding punctuation, times in seconds,
 * {@code confidence} 1.0 (the engines give none), and with punctuate or smart_format on {@code punctuated_word}: the
 * word as the engine wrote it (Nemotron writes casing and punctuation itself; nothing is added here).
 */
final class DeepgramWords {
    private DeepgramWords() {
    }

    static void put(ArrayNode into, List<WordTiming> words, long offsetMs, boolean punctuated) {
        for (WordTiming w : words) {
            var o = into.addObject();
            o.put("word", plain(w.word()));
            o.put("start", seconds(w.startMs() + offsetMs));
            o.put("end", seconds(w.endMs() + offsetMs));
            o.put("confidence", 1.0);
            if (punctuated) o.put("punctuated_word", w.word());
        }
    }

    /** "Hello," → "hello"; inner apostrophes and hyphens stay. */
    static String plain(String word) {
        String s = word.strip();
        int a = 0, b = s.length();
        while (a < b && !Character.isLetterOrDigit(s.codePointAt(a))) a++;
        while (b > a && !Character.isLetterOrDigit(s.codePointBefore(b))) b--;
        return s.substring(a, b).toLowerCase(Locale.ROOT);
    }

    static double seconds(long ms) {
        return ms / 1000.0;
    }
}
