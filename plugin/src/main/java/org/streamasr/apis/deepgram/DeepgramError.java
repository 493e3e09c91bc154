package org.streamasr.apis.deepgram;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Deepgram's REST and handshake error: HTTP status, body {@code {"err_code", "err_msg", "request_id"}}, and the same
 * message in the {@code dg-error} header (captured shapes: 400 {@code "Bad Request"}/"Invalid query string.", 401
 * {@code "INVALID_AUTH"}/"Invalid credentials.").
 */
public record DeepgramError(int status, String code, String message) {

    public static DeepgramError badRequest(String message) {
        return new DeepgramError(400, "Bad Request", message);
    }

    public static DeepgramError invalidAuth(String message) {
        return new DeepgramError(401, "INVALID_AUTH", message);
    }

    public ObjectNode body(String requestId) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("err_code", code);
        o.put("err_msg", message);
        o.put("request_id", requestId);
        return o;
    }
}
