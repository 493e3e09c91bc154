package org.streamasr.captions;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import org.streamasr.media.TranscriptEvent;

/**
 * The captions wire format, one JSON object per WebSocket text frame:
 * <pre>
 * {"type":"partial"|"final", "callId", "participant", "name", "utteranceId", "seq", "text", "language",
 *  "startMs", "endMs", "words":[{"word","startMs","endMs"}], "history":true (replayed finals only)}
 * {"type":"ended", "callId", "reason"}   (last message before a normal close)
 * </pre>
 * Times are milliseconds on the participant's media clock. Partials of one utteranceId replace each other; a final
 * closes its utterance. {@code seq} increases per participant.
 */
public final class CaptionJson {
    private static final JsonFactory JSON = new JsonFactory();

    private CaptionJson() {
    }

    public static String event(TranscriptEvent e, boolean history) {
        StringWriter out = new StringWriter(256 + e.text().length() * 2);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("type", e.isFinal() ? "final" : "partial");
            g.writeStringField("callId", e.callId());
            g.writeStringField("participant", e.participantId());
            g.writeStringField("name", e.participantName() != null ? e.participantName() : e.participantId());
            g.writeStringField("utteranceId", e.utteranceId());
            g.writeNumberField("seq", e.seq());
            g.writeStringField("text", e.text());
            if (e.language() != null) g.writeStringField("language", e.language());
            else g.writeNullField("language");
            g.writeNumberField("startMs", e.startMs());
            g.writeNumberField("endMs", e.endMs());
            g.writeArrayFieldStart("words");
            for (TranscriptEvent.WordTiming w : e.words()) {
                g.writeStartObject();
                g.writeStringField("word", w.word());
                g.writeNumberField("startMs", w.startMs());
                g.writeNumberField("endMs", w.endMs());
                g.writeEndObject();
            }
            g.writeEndArray();
            if (history) g.writeBooleanField("history", true);
            g.writeEndObject();
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return out.toString();
    }

    public static String ended(String callId, String reason) {
        StringWriter out = new StringWriter(96);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("type", "ended");
            g.writeStringField("callId", callId);
            g.writeStringField("reason", reason);
            g.writeEndObject();
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return out.toString();
    }

    /** The key under which partials of one utterance coalesce. */
    static String key(TranscriptEvent e) {
        return e.participantId() + "\u0000" + e.utteranceId();
    }
}
