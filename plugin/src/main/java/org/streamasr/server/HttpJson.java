package org.streamasr.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import org.glassfish.grizzly.http.server.Request;
import org.glassfish.grizzly.http.server.Response;

/** JSON in and out of Grizzly requests; errors as {@code {"error": {"status", "message"}}}. */
final class HttpJson {
    static final ObjectMapper MAPPER = new ObjectMapper();

    private HttpJson() {
    }

    /** A body that is not JSON, or too large, as a clear 4xx. */
    static final class BadRequestException extends Exception {
        final int status;

        BadRequestException(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    /** The request's JSON body (empty body → empty object), at most {@code maxBytes}. */
    static JsonNode readBody(Request request, int maxBytes) throws BadRequestException, IOException {
        long length = request.getContentLength();
        if (length > maxBytes) throw new BadRequestException(413, "request body over " + maxBytes + " bytes");
        byte[] body;
        try (InputStream in = request.getInputStream()) {
            // With a Content-Length, read exactly that: a request that also asks for a protocol upgrade (Java's
            // HttpClient sends "Upgrade: h2c" by default) has its body passed through raw, with no end marker.
            body = in.readNBytes(length >= 0 ? (int) length : maxBytes + 1);
        }
        if (body.length > maxBytes) throw new BadRequestException(413, "request body over " + maxBytes + " bytes");
        if (body.length == 0) return MAPPER.createObjectNode();
        try {
            JsonNode node = MAPPER.readTree(body);
            if (node == null || !node.isObject()) throw new BadRequestException(400, "request body must be a JSON object");
            return node;
        } catch (JsonProcessingException e) {
            throw new BadRequestException(400, "request body is not valid JSON: " + e.getOriginalMessage());
        }
    }

    static void send(Response response, int status, Object body) throws IOException {
        byte[] bytes = MAPPER.writeValueAsBytes(body);
        response.setStatus(status);
        response.setContentType("application/json");
        response.setCharacterEncoding("utf-8");
        response.setContentLength(bytes.length);
        response.getOutputStream().write(bytes);
    }

    static void error(Response response, int status, String message) throws IOException {
        var body = MAPPER.createObjectNode();
        var error = body.putObject("error");
        error.put("status", status);
        error.put("message", message);
        send(response, status, body);
    }
}
