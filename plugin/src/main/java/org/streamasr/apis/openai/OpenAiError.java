package org.streamasr.apis.openai;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * OpenAI's error body, {@code {"error": {message, type, param, code}}} (all four keys present; param and code may be
 * null), with the HTTP status the SDKs map to their error classes (400 BadRequestError, 401 AuthenticationError, 404
 * NotFoundError, 413, 429 RateLimitError, 5xx InternalServerError).
 */
public record OpenAiError(int status, String message, String type, String param, String code) {
    public static final String INVALID_REQUEST = "invalid_request_error";

    public static OpenAiError badRequest(String message, String param, String code) {
        return new OpenAiError(400, message, INVALID_REQUEST, param, code);
    }

    public static OpenAiError invalidKey(String message) {
        return new OpenAiError(401, message, INVALID_REQUEST, null, "invalid_api_key");
    }

    public static OpenAiError modelNotFound(String message) {
        return new OpenAiError(404, message, INVALID_REQUEST, "model", "model_not_found");
    }

    /** The {@code error} object alone (the realtime {@code error} event carries it too). */
    public ObjectNode errorObject() {
        ObjectNode e = JsonNodeFactory.instance.objectNode();
        e.put("message", message);
        e.put("type", type);
        if (param == null) e.putNull("param"); else e.put("param", param);
        if (code == null) e.putNull("code"); else e.put("code", code);
        return e;
    }

    public ObjectNode body() {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.set("error", errorObject());
        return o;
    }
}
