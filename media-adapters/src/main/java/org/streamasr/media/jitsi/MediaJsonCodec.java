package org.streamasr.media.jitsi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Base64;
import java.util.Locale;
import org.streamasr.media.adapter.LenientJson;

/**
 * MEDIAJSON (Jitsi's Voximplant-derived schema, {@code org.jitsi.mediajson}) to events and back. Numbers may come as
 * strings, unknown fields and events are ignored, and malformed input becomes a {@link Malformed} with a stable
 * reason token, never an exception.
 */
final class MediaJsonCodec {

    sealed interface Message permits Start, Media, Stop, Ping, SessionEnd, Info, Ignored, Malformed {
    }

    /**
     * @param displayName the participant's name when the sender gives one ({@code customParameters.displayName}),
     *                    else null
     * @param timestamp   start of a talk on the media clock when the sender brackets talks with start/stop, else null
     */
    record Start(String tag, String encoding, int sampleRate, int channels, String endpointId, String displayName,
                 Long timestamp) implements Message {
    }

    /** Names a sender may give a source in {@code customParameters}, most specific first. */
    static final String[] NAME_FIELDS = {"displayName", "name", "participantName", "nick"};
    /** Longest display name kept (a caption line, not a document). */
    static final int MAX_NAME_CHARS = 100;

    record Media(String tag, long chunk, long timestamp, byte[] payload) implements Message {
    }

    /** @param timestamp one past the end of a talk when the sender brackets talks, else null (the source ended) */
    record Stop(String tag, Long timestamp) implements Message {
    }

    /** @param id echoed as given (Jitsi sends a number) */
    record Ping(JsonNode id) implements Message {
    }

    record SessionEnd() implements Message {
    }

    record Info(ObjectNode body) implements Message {
    }

    record Ignored(String event) implements Message {
    }

    record Malformed(String reason, String detail) implements Message {
    }

    private final int maxPayloadBytes;

    MediaJsonCodec(int maxPayloadBytes) {
        this.maxPayloadBytes = maxPayloadBytes;
    }

    Message parse(String text) {
        ObjectNode msg = LenientJson.parseObject(text);
        if (msg == null) return new Malformed("malformed-json", abbreviate(text));
        String event = LenientJson.text(msg, "event");
        if (event == null) return new Malformed("missing-event", abbreviate(text));
        return switch (event) {
            case "start" -> start(msg);
            case "media" -> media(msg);
            case "stop" -> stop(msg);
            case "ping" -> msg.hasNonNull("id") ? new Ping(msg.get("id")) : new Malformed("ping-without-id", abbreviate(text));
            case "session-end" -> new SessionEnd();
            case "info" -> new Info(msg);
            default -> new Ignored(event);
        };
    }

    private Message start(ObjectNode msg) {
        ObjectNode start = LenientJson.object(msg, "start");
        String tag = LenientJson.text(start, "tag");
        if (tag == null || tag.isBlank()) return new Malformed("start-without-tag", abbreviate(msg.toString()));
        ObjectNode format = LenientJson.object(start, "mediaFormat");
        String encoding = LenientJson.text(format, "encoding");
        Long rate = LenientJson.integer(format, "sampleRate");
        Long channels = LenientJson.integer(format, "channels");
        ObjectNode custom = LenientJson.object(start, "customParameters");
        String endpointId = LenientJson.text(custom, "endpointId");
        return new Start(tag,
                encoding == null ? "opus" : encoding.toLowerCase(Locale.ROOT),
                rate == null || rate < 1 || rate > 384_000 ? 48_000 : rate.intValue(),
                channels == null || channels < 1 || channels > 8 ? 2 : channels.intValue(),
                endpointId == null || endpointId.isBlank() ? null : endpointId,
                displayName(custom),
                LenientJson.integer(start, "timestamp"));
    }

    /**
     * The first of {@link #NAME_FIELDS} that holds text, as a caption can show it: control characters become spaces,
     * runs of white space one space, at most {@link #MAX_NAME_CHARS} characters; null when there is none.
     */
    static String displayName(ObjectNode custom) {
        for (String field : NAME_FIELDS) {
            String v = LenientJson.text(custom, field);
            if (v == null) continue;
            String clean = v.replaceAll("[\\p{Cntrl}\\p{Zl}\\p{Zp}\\s]+", " ").strip();
            if (clean.isEmpty()) continue;
            if (clean.length() > MAX_NAME_CHARS) {
                int end = Character.isHighSurrogate(clean.charAt(MAX_NAME_CHARS - 1)) ? MAX_NAME_CHARS - 1 : MAX_NAME_CHARS;
                clean = clean.substring(0, end).strip();
            }
            return clean;
        }
        return null;
    }

    private Message media(ObjectNode msg) {
        ObjectNode media = LenientJson.object(msg, "media");
        if (media == null) return new Malformed("media-without-body", abbreviate(msg.toString()));
        String tag = LenientJson.text(media, "tag");
        Long chunk = LenientJson.integer(media, "chunk");
        Long timestamp = LenientJson.integer(media, "timestamp");
        String payload = LenientJson.text(media, "payload");
        if (tag == null || tag.isBlank()) return new Malformed("media-without-tag", abbreviate(msg.toString()));
        if (chunk == null || timestamp == null) return new Malformed("media-without-position", abbreviate(msg.toString()));
        if (payload == null) return new Malformed("media-without-payload", abbreviate(msg.toString()));
        if (payload.length() / 4 * 3 > maxPayloadBytes) {
            return new Malformed("payload-too-large", payload.length() + " base64 characters for tag " + tag);
        }
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(payload);
        } catch (IllegalArgumentException e) {
            return new Malformed("bad-base64", "tag " + tag + ": " + e.getMessage());
        }
        if (bytes.length == 0) return new Malformed("empty-payload", "tag " + tag);
        return new Media(tag, chunk, timestamp, bytes);
    }

    private Message stop(ObjectNode msg) {
        ObjectNode stop = LenientJson.object(msg, "stop");
        String tag = LenientJson.text(stop, "tag");
        if (tag == null || tag.isBlank()) return new Malformed("stop-without-tag", abbreviate(msg.toString()));
        return new Stop(tag, LenientJson.integer(stop, "timestamp"));
    }

    static String pong(JsonNode id) {
        ObjectNode o = LenientJson.newObject();
        o.put("event", "pong");
        o.set("id", id);
        return LenientJson.write(o);
    }

    /**
     * A result in the shape Jitsi Meet displays and the bridge forwards: {@code event} is the bridge's type
     * discriminator, {@code type} is what Meet's subtitles middleware matches.
     */
    static String transcriptionResult(String messageId, boolean interim, String text, double stability,
                                      String language, String participantId, String participantName, String tag,
                                      long timestampMillis) {
        ObjectNode o = LenientJson.newObject();
        o.put("event", "transcription-result");
        o.put("type", "transcription-result");
        o.put("is_interim", interim);
        o.put("message_id", messageId);
        ArrayNode transcript = o.putArray("transcript");
        ObjectNode alternative = transcript.addObject();
        alternative.put("text", text);
        alternative.put("confidence", stability);
        ObjectNode participant = o.putObject("participant");
        participant.put("id", participantId);
        if (participantName != null) participant.put("name", participantName);
        if (tag != null) participant.put("tag", tag);
        o.put("language", language);
        o.put("stability", stability);
        o.put("timestamp", timestampMillis);
        return LenientJson.write(o);
    }

    static String abbreviate(String text) {
        return LenientJson.abbreviate(text);
    }
}
