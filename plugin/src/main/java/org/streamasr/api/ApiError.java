package org.streamasr.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * An answer that is not a success, in fal's shapes: input problems as a FastAPI/Pydantic {@code detail} list
 * ({@code {"detail":[{"loc":["body","language"],"msg":"...","type":"..."}]}}), other failures as
 * {@code {"detail":"...","error_type":"..."}}. The error type also goes into the {@code X-Fal-Error-Type} header.
 */
public final class ApiError extends Exception {
    static final ObjectMapper JSON = new ObjectMapper();

    /** One field's problem; {@code ctx} may be null. */
    public record FieldError(String field, String msg, String type, JsonNode input, JsonNode ctx) {
        public FieldError(String field, String msg, String type) {
            this(field, msg, type, null, null);
        }
    }

    private final int status;
    private final String errorType;
    private final ObjectNode body;
    private final boolean retryable;

    private ApiError(int status, String errorType, String message, ObjectNode body, boolean retryable) {
        super(message, null, false, false);
        this.status = status;
        this.errorType = errorType;
        this.body = body;
        this.retryable = retryable;
    }

    /** Problems with the request body's fields (422 unless said otherwise: 400 undecodable, 413 too large). */
    public static ApiError fields(int status, List<FieldError> errors) {
        ObjectNode body = JSON.createObjectNode();
        ArrayNode detail = body.putArray("detail");
        for (FieldError e : errors) {
            ObjectNode o = detail.addObject();
            ArrayNode loc = o.putArray("loc");
            loc.add("body");
            if (e.field() != null) loc.add(e.field());
            o.put("msg", e.msg());
            o.put("type", e.type());
            if (e.input() != null) o.set("input", e.input());
            if (e.ctx() != null) o.set("ctx", e.ctx());
        }
        String type = errors.isEmpty() ? "validation_error" : errors.get(0).type();
        body.put("error_type", type);
        String message = errors.isEmpty() ? "invalid input" : errors.get(0).msg();
        return new ApiError(status, type, message, body, false);
    }

    public static ApiError field(int status, String field, String msg, String type) {
        return fields(status, List.of(new FieldError(field, msg, type)));
    }

    /** A failure that is not about one field: {@code {"detail": message, "error_type": type}}. */
    public static ApiError plain(int status, String errorType, String message) {
        ObjectNode body = JSON.createObjectNode();
        body.put("detail", message);
        body.put("error_type", errorType);
        return new ApiError(status, errorType, message, body, status == 429 || status == 503);
    }

    /** An answer with a body of its own (cancel's {@code {"status": "NOT_FOUND"}}). */
    public static ApiError withBody(int status, String errorType, String message, ObjectNode body) {
        return new ApiError(status, errorType, message, body, false);
    }

    public int status() {
        return status;
    }

    public String errorType() {
        return errorType;
    }

    public ObjectNode body() {
        return body.deepCopy();
    }

    /** Whether the same request may succeed later ({@code X-Fal-Retryable}). */
    public boolean retryable() {
        return retryable;
    }
}
