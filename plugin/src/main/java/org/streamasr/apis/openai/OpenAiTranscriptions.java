package org.streamasr.apis.openai;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Locale;
import org.streamasr.apis.FileTranscript;
import org.streamasr.apis.LanguageResolver;
import org.streamasr.media.TranscriptEvent.WordTiming;

/**
 * The response bodies of OpenAI's {@code POST /v1/audio/transcriptions}: {@code json}, {@code text}, {@code srt},
 * {@code vtt}, {@code verbose_json} (segments with all ten fields, words when asked for), and the server-sent events
 * of {@code stream=true}. Segments are our utterances; fields we have no value for get neutral ones (tokens
 * {@code []}, temperature 0, log-probabilities 0).
 */
public final class OpenAiTranscriptions {
    /** The formats {@code response_format} may name. */
    public static final List<String> FORMATS = List.of("json", "text", "srt", "verbose_json", "vtt");

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private OpenAiTranscriptions() {
    }

    /** A rendered body and its content type. */
    public record Body(String contentType, String text) {
    }

    /**
     * @param format one of {@link #FORMATS}
     * @param words  verbose_json: include {@code words} ({@code timestamp_granularities[]=word})
     * @param segments verbose_json: include {@code segments} (the default, or {@code timestamp_granularities[]=segment})
     */
    public static Body render(FileTranscript t, String format, boolean words, boolean segments) {
        switch (format) {
            case "text":
                return new Body("text/plain; charset=utf-8", t.text() + "\n");
            case "srt":
                return new Body("text/plain; charset=utf-8", srt(t));
            case "vtt":
                return new Body("text/vtt; charset=utf-8", vtt(t));
            case "verbose_json":
                return new Body("application/json", verboseJson(t, words, segments).toString());
            default:
                return new Body("application/json", json(t).toString());
        }
    }

    public static ObjectNode json(FileTranscript t) {
        ObjectNode o = NODES.objectNode();
        o.put("text", t.text());
        o.set("usage", usage(t));
        return o;
    }

    static ObjectNode verboseJson(FileTranscript t, boolean withWords, boolean withSegments) {
        ObjectNode o = NODES.objectNode();
        o.put("task", "transcribe");
        o.put("language", LanguageResolver.englishName(t.language()));
        o.put("duration", round(t.durationSeconds()));
        o.put("text", t.text());
        if (withSegments) {
            ArrayNode segs = o.putArray("segments");
            int id = 0;
            for (FileTranscript.Segment s : t.segments()) {
                ObjectNode seg = segs.addObject();
                seg.put("id", id++);
                seg.put("seek", 0);
                seg.put("start", s.startMs() / 1000.0);
                seg.put("end", s.endMs() / 1000.0);
                seg.put("text", " " + s.text());
                seg.putArray("tokens");
                seg.put("temperature", 0.0);
                seg.put("avg_logprob", 0.0);
                seg.put("compression_ratio", 1.0);
                seg.put("no_speech_prob", 0.0);
            }
        }
        if (withWords) {
            ArrayNode ws = o.putArray("words");
            for (WordTiming w : t.words()) {
                ObjectNode word = ws.addObject();
                word.put("word", w.word());
                word.put("start", w.startMs() / 1000.0);
                word.put("end", w.endMs() / 1000.0);
            }
        }
        o.set("usage", usage(t));
        return o;
    }

    /** {@code {"type":"duration","seconds":N}}: billing by audio length, as whisper-1 reports it. */
    static ObjectNode usage(FileTranscript t) {
        ObjectNode u = NODES.objectNode();
        u.put("type", "duration");
        u.put("seconds", (long) Math.ceil(t.durationSeconds()));
        return u;
    }

    static String srt(FileTranscript t) {
        StringBuilder b = new StringBuilder();
        int n = 1;
        for (FileTranscript.Segment s : t.segments()) {
            b.append(n++).append('\n').append(time(s.startMs(), ',')).append(" --> ").append(time(s.endMs(), ','))
                    .append('\n').append(s.text()).append("\n\n");
        }
        return b.toString();
    }

    static String vtt(FileTranscript t) {
        StringBuilder b = new StringBuilder("WEBVTT\n\n");
        for (FileTranscript.Segment s : t.segments()) {
            b.append(time(s.startMs(), '.')).append(" --> ").append(time(s.endMs(), '.')).append('\n')
                    .append(s.text()).append("\n\n");
        }
        return b.toString();
    }

    /** {@code HH:MM:SS,mmm} (SRT) or {@code HH:MM:SS.mmm} (WebVTT). */
    static String time(long ms, char separator) {
        long h = ms / 3_600_000, m = ms / 60_000 % 60, s = ms / 1000 % 60, milli = ms % 1000;
        return String.format(Locale.ROOT, "%02d:%02d:%02d%c%03d", h, m, s, separator, milli);
    }

    /** {@code transcript.text.delta}: one per final utterance, so the deltas join to the done text. */
    public static String deltaEvent(String delta) {
        ObjectNode o = NODES.objectNode();
        o.put("type", "transcript.text.delta");
        o.put("delta", delta);
        return o.toString();
    }

    public static String doneEvent(FileTranscript t) {
        ObjectNode o = NODES.objectNode();
        o.put("type", "transcript.text.done");
        o.put("text", t.text());
        ObjectNode usage = o.putObject("usage");
        usage.put("type", "duration");
        usage.put("seconds", (long) Math.ceil(t.durationSeconds()));
        return o.toString();
    }

    private static double round(double seconds) {
        return Math.round(seconds * 1000) / 1000.0;
    }
}
