package org.streamasr.apis;

import java.util.HashMap;
import java.util.Map;
import org.streamasr.engine.SpeechEngine;

/**
 * A model name resolved to what serves it.
 *
 * @param name         the name as the client sent it (trimmed; empty for "the default")
 * @param engine       the engine, loaded
 * @param engineName   the engine to name when opening a call ({@code CallRequest.engine}); null for the default engine
 * @param catalogModel the {@code asr.models} or alias entry to name when opening a call ({@code CallRequest.model}),
 *                     or null
 */
public record ServedModel(String name, SpeechEngine engine, String engineName, String catalogModel) {
    /** The {@code CallSpec} attribute that asks {@code CallRegistry} for an engine by name. */
    public static final String ENGINE_ATTRIBUTE = "asr.engine";
    /** The {@code CallSpec} attribute that asks {@code CallRegistry} for an {@code asr.models}/alias entry. */
    public static final String MODEL_ATTRIBUTE = "asr.model";

    /** {@code attributes} plus the two that make a live call ({@code CallSink.openCall}) run on this model. */
    public Map<String, String> callAttributes(Map<String, String> attributes) {
        Map<String, String> out = new HashMap<>(attributes);
        if (engineName != null) out.put(ENGINE_ATTRIBUTE, engineName);
        if (catalogModel != null) out.put(MODEL_ATTRIBUTE, catalogModel);
        return out;
    }
}
