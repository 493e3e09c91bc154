package org.streamasr.apis.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Locale;

/**
 * The settings of one realtime transcription session as {@code session.update} (GA) and
 * {@code transcription_session.update} (beta) change them: input format (pcm16 at 24 kHz, or G.711 mu-law/A-law
 * at 8 kHz), transcription model and language, and turn detection (server VAD, or none: the client commits).
 * Only the fields present change. Immutable; {@link #apply} returns the new settings or throws naming the field.
 */
record RealtimeSessionConfig(String sessionType, String format, String model, String language, String prompt,
                             boolean serverVad) {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** A session.update field we refuse: its path and why. */
    static final class InvalidUpdateException extends Exception {
        final String param;

        InvalidUpdateException(String param, String message) {
            super(message);
            this.param = param;
        }
    }

    static RealtimeSessionConfig initial(String sessionType, String model) {
        return new RealtimeSessionConfig(sessionType, "pcm16", model, null, "", true);
    }

    int sampleRate() {
        return format.equals("pcm16") ? 24000 : 8000;
    }

    RealtimeSessionConfig apply(JsonNode session, boolean beta) throws InvalidUpdateException {
        if (session == null || !session.isObject()) throw new InvalidUpdateException("session", "session must be an object");
        String type = sessionType, fmt = format, mdl = model, lang = language, prm = prompt;
        boolean vad = serverVad;
        if (session.hasNonNull("type")) {
            type = session.get("type").asText();
            if (!type.equals("transcription") && !type.equals("realtime")) {
                throw new InvalidUpdateException("session.type", "Invalid value: '" + type + "'. Supported values are: "
                        + "'transcription' and 'realtime'.");
            }
        }
        JsonNode input = session.path("audio").path("input");
        JsonNode transcription = input.has("transcription") ? input.get("transcription")
                : session.get("input_audio_transcription");
        JsonNode format = input.has("format") ? input.get("format") : session.get("input_audio_format");
        if (format != null && !format.isNull()) fmt = format(format, beta || session.has("input_audio_format"));
        if (transcription != null && transcription.isObject()) {
            if (transcription.hasNonNull("model")) mdl = transcription.get("model").asText();
            if (transcription.has("language")) {
                lang = transcription.get("language").isNull() ? null : transcription.get("language").asText();
                if (lang != null && lang.isBlank()) lang = null;
            }
            if (transcription.hasNonNull("prompt")) prm = transcription.get("prompt").asText();
        }
        JsonNode turn = input.has("turn_detection") ? input.get("turn_detection") : session.get("turn_detection");
        if (turn != null) {
            if (turn.isNull()) {
                vad = false;
            } else {
                String t = turn.path("type").asText("server_vad");
                if (!t.equals("server_vad") && !t.equals("semantic_vad")) {
                    throw new InvalidUpdateException("session.audio.input.turn_detection.type", "Invalid value: '" + t
                            + "'. Supported values are: 'server_vad' and 'semantic_vad'.");
                }
                vad = true;
            }
        }
        return new RealtimeSessionConfig(type, fmt, mdl, lang, prm, vad);
    }

    private static String format(JsonNode f, boolean beta) throws InvalidUpdateException {
        if (f.isTextual()) {
            String v = f.asText().toLowerCase(Locale.ROOT);
            switch (v) {
                case "pcm16", "audio/pcm": return "pcm16";
                case "g711_ulaw", "audio/pcmu": return "g711_ulaw";
                case "g711_alaw", "audio/pcma": return "g711_alaw";
                default: throw new InvalidUpdateException("session.input_audio_format", "Invalid value: '" + v
                        + "'. Supported values are: 'pcm16', 'g711_ulaw', and 'g711_alaw'.");
            }
        }
        String type = f.path("type").asText("");
        switch (type) {
            case "audio/pcm":
                if (f.has("rate") && f.get("rate").asInt() != 24000) {
                    throw new InvalidUpdateException("session.audio.input.format.rate", "Invalid value: "
                            + f.get("rate").asText() + ". audio/pcm is 24000 Hz only.");
                }
                return "pcm16";
            case "audio/pcmu": return "g711_ulaw";
            case "audio/pcma": return "g711_alaw";
            default: throw new InvalidUpdateException("session.audio.input.format.type", "Invalid value: '" + type
                    + "'. Supported values are: 'audio/pcm', 'audio/pcmu', and 'audio/pcma'.");
        }
    }

    /** The session object of {@code session.created}/{@code updated} (GA) or the beta transcription session. */
    ObjectNode toJson(String id, boolean beta) {
        ObjectNode s = NODES.objectNode();
        ObjectNode transcription = NODES.objectNode();
        transcription.put("model", model);
        if (language == null) transcription.putNull("language"); else transcription.put("language", language);
        transcription.put("prompt", prompt);
        ObjectNode turn = NODES.objectNode();
        turn.put("type", "server_vad");
        turn.put("threshold", 0.5);
        turn.put("prefix_padding_ms", 300);
        turn.put("silence_duration_ms", 500);
        if (beta) {
            s.put("id", id);
            s.put("object", "realtime.transcription_session");
            s.put("input_audio_format", format);
            s.set("input_audio_transcription", transcription);
            if (serverVad) s.set("turn_detection", turn); else s.putNull("turn_detection");
            s.putNull("input_audio_noise_reduction");
            s.putArray("include");
            return s;
        }
        s.put("type", sessionType);
        s.put("id", id);
        s.put("object", sessionType.equals("transcription") ? "realtime.transcription_session" : "realtime.session");
        ObjectNode input = s.putObject("audio").putObject("input");
        ObjectNode f = input.putObject("format");
        switch (format) {
            case "pcm16" -> {
                f.put("type", "audio/pcm");
                f.put("rate", 24000);
            }
            case "g711_ulaw" -> f.put("type", "audio/pcmu");
            default -> f.put("type", "audio/pcma");
        }
        input.set("transcription", transcription);
        input.putNull("noise_reduction");
        if (serverVad) input.set("turn_detection", turn); else input.putNull("turn_detection");
        s.putArray("include");
        return s;
    }
}
