package org.streamasr.api.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.streamasr.api.ApiError;
import org.streamasr.api.ApiError.FieldError;
import org.streamasr.api.fetch.AudioFetcher;
import org.streamasr.api.fetch.FetchException;
import org.streamasr.engine.Acceleration;
import org.streamasr.engine.ApiLanguages;
import org.streamasr.engine.SpeechEngine;

/**
 * The endpoint's input, {@code {audio_url, language = "auto", acceleration = "regular"}}, validated: every problem
 * is reported at once, FastAPI style, with the allowed values.
 */
public record TranscriptionInput(String audioUrl, String language, Acceleration acceleration) {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /**
     * Parses and validates a request body against the endpoint's schema and what {@code engine} can serve.
     *
     * @throws ApiError 422 listing every bad field
     */
    public static TranscriptionInput parse(JsonNode body, SpeechEngine engine) throws ApiError {
        if (body == null || !body.isObject()) {
            throw ApiError.fields(422, List.of(new FieldError(null, "Input should be a valid dictionary or object",
                    "model_attributes_type")));
        }
        List<FieldError> errors = new ArrayList<>();
        String audioUrl = null;
        JsonNode url = body.get("audio_url");
        if (url == null || url.isNull()) {
            errors.add(new FieldError("audio_url", "Field required", "missing", null, null));
        } else if (!url.isTextual() || url.asText().isBlank()) {
            errors.add(new FieldError("audio_url", "Input should be a non-empty string: an http(s) URL, a data: URI or "
                    + "a URL from /storage/upload/initiate", "string_type", url, null));
        } else {
            audioUrl = url.asText().trim();
            try {
                AudioFetcher.precheck(audioUrl);
            } catch (FetchException e) {
                errors.add(new FieldError("audio_url", e.getMessage(), "url_not_allowed", NODES.textNode(shorten(audioUrl)), null));
            }
        }
        String language = parseLanguage(body.get("language"), engine, errors);
        Acceleration acceleration = parseAcceleration(body.get("acceleration"), engine, errors);
        if (!errors.isEmpty()) throw ApiError.fields(422, errors);
        return new TranscriptionInput(audioUrl, language, acceleration);
    }

    private static String parseLanguage(JsonNode v, SpeechEngine engine, List<FieldError> errors) {
        if (v == null || v.isNull()) return ApiLanguages.AUTO;
        String canonical = v.isTextual() ? ApiLanguages.canonical(v.asText()) : null;
        if (canonical == null) {
            errors.add(enumError("language", v, ApiLanguages.ALL));
            return null;
        }
        Set<String> served = new TreeSet<>();
        for (String l : engine.languages()) {
            String c = ApiLanguages.canonical(l);
            served.add(c == null ? l : c);
        }
        if (!served.isEmpty() && !served.contains(canonical)) {
            errors.add(unsupported("language", canonical, engine.name(),
                    ApiLanguages.ALL.stream().filter(served::contains).collect(Collectors.toList())));
            return null;
        }
        return canonical;
    }

    private static Acceleration parseAcceleration(JsonNode v, SpeechEngine engine, List<FieldError> errors) {
        if (v == null || v.isNull()) return Acceleration.REGULAR;
        Acceleration a = null;
        if (v.isTextual()) {
            for (Acceleration x : Acceleration.values()) {
                if (x.apiValue().equals(v.asText().trim().toLowerCase(Locale.ROOT))) a = x;
            }
        }
        if (a == null) {
            errors.add(enumError("acceleration", v, Acceleration.allowedValues()));
            return null;
        }
        Set<Acceleration> served = engine.accelerations();
        if (!served.isEmpty() && !served.contains(a)) {
            List<String> allowed = new ArrayList<>();
            for (Acceleration x : Acceleration.values()) if (served.contains(x)) allowed.add(x.apiValue());
            errors.add(unsupported("acceleration", a.apiValue(), engine.name(), allowed));
            return null;
        }
        return a;
    }

    private static FieldError enumError(String field, JsonNode input, List<String> allowed) {
        String expected = pydanticList(allowed);
        ObjectNode ctx = NODES.objectNode();
        ctx.put("expected", expected);
        return new FieldError(field, "Input should be " + expected, "enum", input, ctx);
    }

    private static FieldError unsupported(String field, String value, String engineName, List<String> allowed) {
        ObjectNode ctx = NODES.objectNode();
        ctx.set("allowed", NODES.arrayNode().addAll(allowed.stream().map(NODES::textNode).collect(Collectors.toList())));
        return new FieldError(field, field + " '" + value + "' is valid but this server's engine (" + engineName
                + ") cannot serve it; it serves: " + String.join(", ", allowed), "unsupported_value",
                NODES.textNode(value), ctx);
    }

    /** 'a', 'b' or 'c' */
    private static String pydanticList(List<String> values) {
        List<String> quoted = values.stream().map(s -> "'" + s + "'").collect(Collectors.toList());
        if (quoted.size() == 1) return quoted.get(0);
        return String.join(", ", quoted.subList(0, quoted.size() - 1)) + " or " + quoted.get(quoted.size() - 1);
    }

    private static String shorten(String s) {
        return s.length() <= 200 ? s : s.substring(0, 200) + "...";
    }

    public ObjectNode toJson() {
        ObjectNode o = NODES.objectNode();
        o.put("audio_url", audioUrl);
        o.put("language", language);
        o.put("acceleration", acceleration.apiValue());
        return o;
    }
}
