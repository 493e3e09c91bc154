package org.streamasr.transcripts;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A call transcript as {@code json}, {@code txt}, {@code vtt} (WebVTT with {@code <v Speaker>} voice tags) or
 * {@code srt} (SubRip, the speaker's name before the text). Segments appear in order of their start time on the
 * call's clock, the order they arrived in for equal starts.
 */
public final class TranscriptFormats {
    public static final List<String> NAMES = List.of("json", "txt", "vtt", "srt");
    private static final ObjectMapper JSON = new ObjectMapper();

    private TranscriptFormats() {
    }

    /** The content type of a format in {@link #NAMES}. */
    public static String contentType(String format) {
        return switch (format) {
            case "json" -> "application/json";
            case "txt" -> "text/plain";
            case "vtt" -> "text/vtt";
            case "srt" -> "application/x-subrip";
            default -> throw new IllegalArgumentException("unknown transcript format '" + format + "'");
        };
    }

    /** The transcript in {@code format} (one of {@link #NAMES}). */
    public static String render(String format, CallTranscriptRecord record, List<TranscriptSegment> segments) {
        List<TranscriptSegment> ordered = ordered(segments);
        return switch (format) {
            case "json" -> json(record, ordered).toString();
            case "txt" -> text(ordered);
            case "vtt" -> vtt(ordered);
            case "srt" -> srt(ordered);
            default -> throw new IllegalArgumentException("unknown transcript format '" + format + "'");
        };
    }

    public static ObjectNode json(CallTranscriptRecord record, List<TranscriptSegment> segments) {
        List<TranscriptSegment> ordered = ordered(segments);
        ObjectNode root = JSON.createObjectNode();
        root.put("callId", record.callId());
        root.put("state", record.ended() ? "ended" : "live");
        root.put("source", record.source());
        root.put("engine", record.engine());
        root.put("language", record.language());
        root.put("startedAt", Instant.ofEpochMilli(record.startedAtMillis()).toString());
        if (record.ended()) {
            root.put("endedAt", Instant.ofEpochMilli(record.endedAtMillis()).toString());
            root.put("endReason", record.endReason());
        } else {
            root.putNull("endedAt");
            root.putNull("endReason");
        }
        Map<String, String> speakers = new LinkedHashMap<>();
        for (TranscriptSegment s : ordered) speakers.putIfAbsent(s.speakerId(), s.speakerName());
        ArrayNode sp = root.putArray("speakers");
        speakers.forEach((id, name) -> sp.addObject().put("id", id).put("name", name));
        ArrayNode out = root.putArray("segments");
        StringBuilder text = new StringBuilder();
        for (TranscriptSegment s : ordered) {
            ObjectNode o = out.addObject();
            o.put("speaker", s.speakerId());
            o.put("name", s.speakerName());
            o.put("startMs", s.startMs());
            o.put("endMs", s.endMs());
            o.put("language", s.language());
            o.put("text", s.text());
            ArrayNode words = o.putArray("words");
            for (TranscriptSegment.Word w : s.words()) {
                words.addObject().put("word", w.word()).put("startMs", w.startMs()).put("endMs", w.endMs());
            }
            if (!text.isEmpty()) text.append('\n');
            text.append(s.speakerName()).append(": ").append(s.text());
        }
        root.put("text", text.toString());
        return root;
    }

    /** {@code [hh:mm:ss] Name: text}, one final a line. */
    static String text(List<TranscriptSegment> segments) {
        StringBuilder b = new StringBuilder();
        for (TranscriptSegment s : segments) {
            long sec = s.startMs() / 1000;
            b.append(String.format(Locale.ROOT, "[%02d:%02d:%02d] ", sec / 3600, sec / 60 % 60, sec % 60))
                    .append(s.speakerName()).append(": ").append(s.text()).append('\n');
        }
        return b.toString();
    }

    static String vtt(List<TranscriptSegment> segments) {
        StringBuilder b = new StringBuilder("WEBVTT\n\n");
        int n = 1;
        for (TranscriptSegment s : segments) {
            b.append(n++).append('\n')
                    .append(cueTime(s.startMs(), '.')).append(" --> ").append(cueTime(cueEnd(s), '.')).append('\n')
                    .append("<v ").append(vttEscape(s.speakerName()).replace(">", "&gt;")).append('>')
                    .append(vttEscape(s.text())).append("\n\n");
        }
        return b.toString();
    }

    static String srt(List<TranscriptSegment> segments) {
        StringBuilder b = new StringBuilder();
        int n = 1;
        for (TranscriptSegment s : segments) {
            b.append(n++).append('\n')
                    .append(cueTime(s.startMs(), ',')).append(" --> ").append(cueTime(cueEnd(s), ',')).append('\n')
                    .append(s.speakerName()).append(": ").append(oneLine(s.text())).append("\n\n");
        }
        return b.toString();
    }

    /** {@code hh:mm:ss.mmm} (WebVTT) or {@code hh:mm:ss,mmm} (SubRip). */
    public static String cueTime(long ms, char fractionSeparator) {
        ms = Math.max(0, ms);
        return String.format(Locale.ROOT, "%02d:%02d:%02d%c%03d", ms / 3_600_000, ms / 60_000 % 60, ms / 1000 % 60,
                fractionSeparator, ms % 1000);
    }

    /** Cues must not end before they start; an engine may give a final no duration. */
    private static long cueEnd(TranscriptSegment s) {
        return Math.max(s.endMs(), s.startMs() + 1);
    }

    private static String vttEscape(String s) {
        return oneLine(s).replace("&", "&amp;").replace("<", "&lt;");
    }

    /** A blank line ends a cue in both formats, and "-->" would start a new timing line. */
    private static String oneLine(String s) {
        return s.replaceAll("[\\r\\n]+", " ").replace("-->", "->");
    }

    private static List<TranscriptSegment> ordered(List<TranscriptSegment> segments) {
        List<TranscriptSegment> out = new ArrayList<>(segments);
        out.sort(Comparator.comparingLong(TranscriptSegment::startMs)); // stable: arrival order for equal starts
        return out;
    }
}
