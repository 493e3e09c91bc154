package org.streamasr.stream;

import java.util.Map;

/**
 * A request to open a call with explicit recognition settings (the HTTP API's {@code POST /v1/calls}).
 *
 * @param callId       the id to use, or null to generate one
 * @param source       who opened it ("api", "rtp", ...)
 * @param engine       engine name, or null for the default
 * @param model        model name from asr.models, or null
 * @param language     "auto", a locale, or null for the engine's default
 * @param acceleration "none", "regular", "high", "full", or null for the engine's default
 * @param attributes   free-form metadata shown in listings
 */
public record CallRequest(String callId, String source, String engine, String model, String language,
                          String acceleration, Map<String, String> attributes) {
    public CallRequest {
        if (source == null || source.isBlank()) throw new IllegalArgumentException("source must be given");
        attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
    }
}
