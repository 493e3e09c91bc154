package org.streamasr.apis;

import java.util.ArrayList;
import java.util.List;
import java.util.function.LongUnaryOperator;
import org.streamasr.engine.Utterance;
import org.streamasr.media.TranscriptEvent.WordTiming;
import org.streamasr.stream.TranscriptWords;

/**
 * A whole file's transcript as the REST surfaces report it (OpenAI's json/verbose_json/srt/vtt, Deepgram's
 * pre-recorded response): one segment per final utterance with its words, times in ms from the start of the audio.
 *
 * @param segments the non-empty final utterances, in order
 * @param samples  decoded length at 16 kHz
 * @param sha256   hex SHA-256 of the audio bytes as received (Deepgram reports it), or null
 * @param language the language the stream ran with (a locale, or "auto"), or null when unknown
 */
public record FileTranscript(List<Segment> segments, long samples, String sha256, String language) {
    /** One utterance. */
    public record Segment(String text, long startMs, long endMs, List<WordTiming> words) {
    }

    public FileTranscript {
        segments = List.copyOf(segments);
    }

    /** Builds the transcript from the engine's finals (empty ones are left out). */
    public static FileTranscript of(List<Utterance> finals, long samples, String sha256, String language) {
        List<Segment> out = new ArrayList<>();
        String lang = language;
        for (Utterance u : finals) {
            String text = u.text().strip();
            if (text.isEmpty()) continue;
            out.add(new Segment(text, u.startMs(), u.endMs(),
                    TranscriptWords.of(u.tokens(), u.endMs(), LongUnaryOperator.identity())));
            if ((lang == null || lang.equals("auto")) && u.language() != null) lang = u.language();
        }
        return new FileTranscript(out, samples, sha256, lang);
    }

    /** The segments' texts joined with single spaces. */
    public String text() {
        StringBuilder b = new StringBuilder();
        for (Segment s : segments) {
            if (b.length() > 0) b.append(' ');
            b.append(s.text());
        }
        return b.toString();
    }

    public double durationSeconds() {
        return samples / 16000.0;
    }

    /** Every word of every segment, in order. */
    public List<WordTiming> words() {
        List<WordTiming> out = new ArrayList<>();
        for (Segment s : segments) out.addAll(s.words());
        return out;
    }
}
