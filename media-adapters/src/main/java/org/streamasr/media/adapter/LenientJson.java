package org.streamasr.media.adapter;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.streamasr.runtime.LogText;

/**
 * Reads what media servers send the way they send it: numbers that may be strings (Twilio, Jitsi MEDIAJSON and
 * Voximplant encode sequence numbers and timestamps as strings), unknown fields ignored, duplicate keys tolerated
 * (the last wins; Jitsi's capture repeats {@code "event"}). Nothing here throws on bad input: absent or malformed
 * values come back as {@code null}, which the caller counts and drops.
 */
public final class LenientJson {
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_TRAILING_TOKENS, true);

    static {
        MAPPER.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(64).maxNumberLength(64).maxStringLength(8 << 20).build());
    }

    private LenientJson() {
    }

    /** The message as a JSON object, or {@code null} when it is not valid JSON or not an object. */
    public static ObjectNode parseObject(String text) {
        if (text == null) return null;
        try {
            JsonNode n = MAPPER.readTree(text);
            return n instanceof ObjectNode o ? o : null;
        } catch (JsonProcessingException | RuntimeException e) {
            return null;
        }
    }

    public static ObjectNode newObject() {
        return JsonNodeFactory.instance.objectNode();
    }

    public static String write(JsonNode node) {
        try {
            return MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree always serialises", e);
        }
    }

    /** The child object {@code name}, or {@code null}. */
    public static ObjectNode object(JsonNode parent, String name) {
        JsonNode n = parent == null ? null : parent.get(name);
        return n instanceof ObjectNode o ? o : null;
    }

    /** A string field (a number is given as its text), or {@code null} when absent, null, or not a scalar. */
    public static String text(JsonNode parent, String name) {
        JsonNode n = parent == null ? null : parent.get(name);
        if (n == null || n.isNull() || !n.isValueNode()) return null;
        return n.asText();
    }

    /** An integer field given as a JSON integer or as a string of digits, or {@code null}. */
    public static Long integer(JsonNode parent, String name) {
        JsonNode n = parent == null ? null : parent.get(name);
        if (n == null || n.isNull()) return null;
        if (n.isIntegralNumber()) return n.canConvertToLong() ? n.longValue() : null;
        if (n.isFloatingPointNumber()) {
            double d = n.doubleValue();
            return d == Math.rint(d) && Math.abs(d) < 9.0e15 ? (long) d : null;
        }
        if (n.isTextual()) {
            String s = n.textValue().trim();
            if (s.isEmpty() || s.length() > 19) return null;
            try {
                return Long.parseLong(s);
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return null;
    }

    /** A number field given as a JSON number or numeric string (Jigasi's Vosk client sends {@code 48000.0}), or {@code null}. */
    public static Double number(JsonNode parent, String name) {
        JsonNode n = parent == null ? null : parent.get(name);
        if (n == null || n.isNull()) return null;
        if (n.isNumber()) return n.doubleValue();
        if (n.isTextual()) {
            try {
                double d = Double.parseDouble(n.textValue().trim());
                return Double.isFinite(d) ? d : null;
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return null;
    }

    /** The text escaped and cut to a loggable length ({@link LogText}). */
    public static String abbreviate(String text) {
        return LogText.printable(text);
    }
}
