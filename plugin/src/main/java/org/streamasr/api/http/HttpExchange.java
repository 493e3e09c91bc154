package org.streamasr.api.http;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.glassfish.grizzly.CloseListener;
import org.glassfish.grizzly.Closeable;
import org.glassfish.grizzly.Connection;
import org.glassfish.grizzly.ICloseType;
import org.glassfish.grizzly.ReadHandler;
import org.glassfish.grizzly.http.io.NIOInputStream;
import org.glassfish.grizzly.http.server.Request;
import org.glassfish.grizzly.http.server.Response;
import org.streamasr.api.ApiError;
import org.streamasr.api.store.StoreUnavailableException;
import org.streamasr.api.ErrorLog;

/**
 * One HTTP request/response, suspended from the start so that any thread can answer it later, and answered exactly
 * once ({@link #claim()}). Bodies are read without blocking a Grizzly thread. Whatever a handler throws is turned
 * into an answer by {@link #guard}: an {@link ApiError} as itself, anything else as a 500 carrying an error id
 * (never a stack trace).
 */
final class HttpExchange {
    interface Action {
        void run() throws Exception;
    }

    /** Receives body bytes as they arrive. */
    interface BodySink {
        void write(byte[] b, int off, int len) throws IOException, ApiError;
    }

    final Request request;
    final Response response;
    final String method;
    /** Captured at the start: the request object is recycled once the exchange finishes. */
    final Connection<?> connection;
    private final ErrorLog errors;
    private final AtomicBoolean claimed = new AtomicBoolean();
    private final AtomicBoolean resumed = new AtomicBoolean();
    private String path;
    private Map<String, String> query;
    private volatile CloseListener<Closeable, ICloseType> closeListener;
    private volatile ErrorWriter errorWriter;

    /** Answers a failure in another API's error shape (OpenAI, Deepgram) instead of fal's. */
    interface ErrorWriter {
        /** Called on a claimed exchange: send the answer with {@link #send}. */
        void write(HttpExchange ex, ApiError e);
    }

    /** Bodies up to this size are read and dropped before an early error answer (see {@link #dropsBodyFirst()}). */
    static final long DROP_BEFORE_ANSWER = 1 << 20;
    /** The body is being read (or dropped): an error answers without touching it. */
    private volatile boolean bodyTaken;

    HttpExchange(Request request, Response response, ErrorLog errors) {
        this.request = request;
        this.response = response;
        this.errors = errors;
        this.method = request.getMethod().getMethodString().toUpperCase(Locale.ROOT);
        this.connection = request.getContext().getConnection();
        this.path = request.getRequestURI();
        this.query = parseQuery(request.getQueryString());
        if (request.getHeader("Upgrade") != null) {
            // Grizzly closes the connection after a request that asked for an upgrade we do not make (h2c from Java's
            // HttpClient) and writes none of its usual headers: say so, or the client reuses a dead connection
            response.getResponse().getHeaders().setValue("Connection").setString("close");
        }
        response.suspend();
    }

    String path() {
        return path;
    }

    /** A query parameter (first value), or null. */
    String query(String name) {
        return query.get(name);
    }

    /** The proxy serves the target URL's path and query as if they had been requested. */
    void rewrite(String newPath, String rawQuery) {
        this.path = newPath == null || newPath.isEmpty() ? "/" : newPath;
        this.query = parseQuery(rawQuery);
    }

    String header(String name) {
        return request.getHeader(name);
    }

    /** Takes the right to answer; false when someone already answered (or the client is gone). */
    boolean claim() {
        return claimed.compareAndSet(false, true);
    }

    boolean isClaimed() {
        return claimed.get();
    }

    /** Answers with JSON, unless already answered. */
    void json(int status, JsonNode body, Map<String, String> headers) {
        if (!claim()) return;
        send(status, body.toString(), headers);
    }

    void json(int status, JsonNode body) {
        json(status, body, Map.of());
    }

    /** Answers with a JSON text as it is, unless already answered. */
    void rawJson(int status, String json, Map<String, String> headers) {
        if (!claim()) return;
        send(status, json, headers);
    }

    /** From now on failures are answered by {@code writer} (every path, the body reader's 413 included). */
    void errorWriter(ErrorWriter writer) {
        this.errorWriter = writer;
    }

    void error(ApiError e) {
        if (!claim()) return;
        if (dropsBodyFirst()) {
            dropBodyThen(() -> writeError(e));
            return;
        }
        writeError(e);
    }

    private void writeError(ApiError e) {
        ErrorWriter w = errorWriter;
        if (w != null) {
            w.write(this, e);
            return;
        }
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("X-Fal-Error-Type", e.errorType());
        headers.put("X-Fal-Retryable", Boolean.toString(e.retryable()));
        if (e.status() == 401) headers.put("WWW-Authenticate", "Key");
        if (e.status() == 429 || e.status() == 503) headers.put("Retry-After", "1");
        send(e.status(), e.body().toString(), headers);
    }

    /** Sends a JSON answer on an exchange already claimed. */
    void send(int status, String json, Map<String, String> headers) {
        send(status, "application/json;charset=utf-8", json, headers);
    }

    /** Sends an answer of any text type on an exchange already claimed. */
    void send(int status, String contentType, String json, Map<String, String> headers) {
        try {
            response.setStatus(status, reason(status));
            contentType(contentType);
            for (Map.Entry<String, String> h : headers.entrySet()) response.setHeader(h.getKey(), h.getValue());
            byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
            response.setContentLength(bytes.length);
            response.getOutputStream().write(bytes);
        } catch (IOException | RuntimeException e) {
            // the client is gone; nothing to tell it
        } finally {
            finish();
        }
    }

    /**
     * Sets the Content-Type. Grizzly leaves it out of the answer to a request with an {@code Upgrade} header (it
     * expects a protocol switch), so for those it goes into the raw headers too.
     */
    void contentType(String value) {
        response.setContentType(value);
        if (request.getHeader("Upgrade") != null) {
            response.getResponse().getHeaders().setValue("Content-Type").setString(value);
        }
    }

    /** Completes the response (once). */
    void finish() {
        if (!resumed.compareAndSet(false, true)) return;
        removeCloseListener();
        try {
            response.resume();
        } catch (RuntimeException ignored) {
            // already completed by Grizzly (connection closed)
        }
    }

    /** Runs {@code action}, answering any failure it throws. */
    void guard(Action action) {
        try {
            action.run();
        } catch (ApiError e) {
            error(e);
        } catch (StoreUnavailableException e) {
            error(e.apiError());
        } catch (Throwable t) {
            String id = errors.report(method + " " + path, t);
            error(ApiError.plain(500, "internal_error", "internal error (error id " + id + ")"));
        }
    }

    /** Calls {@code onGone} (from a Grizzly thread) if the client's connection closes before we finish. */
    void onClientGone(Runnable onGone) {
        closeListener = (closeable, type) -> onGone.run();
        connection.addCloseListener(closeListener);
        if (resumed.get()) removeCloseListener();
        else if (!connection.isOpen()) onGone.run();
    }

    private void removeCloseListener() {
        CloseListener<Closeable, ICloseType> l = closeListener;
        if (l != null) connection.removeCloseListener(l);
    }

    /**
     * An error answered before the request's body was read, to java.net.http with its default settings: it asks for an
     * h2c upgrade on each new connection, Grizzly closes such a connection after the answer, and a client still sending
     * its body then reports a broken pipe instead of the answer. So a body of up to {@value #DROP_BEFORE_ANSWER} bytes
     * (by its Content-Length) is read and dropped first; larger ones are answered at once, as before.
     */
    private boolean dropsBodyFirst() {
        if (bodyTaken || request.getHeader("Upgrade") == null) return false;
        long declared = request.getContentLengthLong();
        return declared > 0 && declared <= DROP_BEFORE_ANSWER;
    }

    /** Reads the (raw-framed) body and drops it, then runs {@code answer}: once, whatever happens to the body. */
    private void dropBodyThen(Runnable answer) {
        bodyTaken = true;
        RawBodyFraming raw = new RawBodyFraming(request.getContentLengthLong(), false);
        AtomicBoolean answered = new AtomicBoolean();
        Runnable once = () -> {
            if (answered.compareAndSet(false, true)) answer.run();
        };
        NIOInputStream in = request.getNIOInputStream();
        in.notifyAvailable(new ReadHandler() {
            private final byte[] buf = new byte[16 * 1024];

            @Override
            public void onDataAvailable() {
                if (drop()) in.notifyAvailable(this);
            }

            @Override
            public void onAllDataRead() {
                drop();
                once.run();
            }

            @Override
            public void onError(Throwable t) {
                once.run();
            }

            /** Reads what is there; false once the body is complete or cannot be read. */
            private boolean drop() {
                try {
                    int ready;
                    while ((ready = in.readyData()) > 0) {
                        int n = in.read(buf, 0, Math.min(buf.length, ready));
                        if (n <= 0) break;
                        if (raw.feed(buf, 0, n, (b, off, len) -> { })) {
                            once.run();
                            return false;
                        }
                    }
                    return true;
                } catch (IOException | ApiError | RuntimeException e) {
                    once.run();
                    return false;
                }
            }
        });
    }

    /**
     * Reads the request body into {@code sink} without blocking, then runs {@code onComplete} (guarded). A body over
     * {@code limit} bytes is answered with 413 naming {@code setting}, the config key of the limit.
     */
    void readBody(long limit, String setting, BodySink sink, Action onComplete, Runnable onFailure) {
        long declared = request.getContentLengthLong();
        if (declared > limit) {
            onFailure.run();
            error(tooLarge(limit, setting));
            return;
        }
        bodyTaken = true;
        RawBodyFraming raw = request.getHeader("Upgrade") == null ? null : new RawBodyFraming(declared,
                "chunked".equalsIgnoreCase(String.valueOf(request.getHeader("Transfer-Encoding")).trim()));
        if (raw != null && raw.emptyBody()) {
            guard(onComplete);
            return;
        }
        BodySink rawSink = raw == null ? null : counting(sink, limit, setting);
        NIOInputStream in = request.getNIOInputStream();
        in.notifyAvailable(new ReadHandler() {
            private final byte[] buf = new byte[16 * 1024];
            private long total;
            private boolean over;

            @Override
            public void onDataAvailable() {
                if (drain()) in.notifyAvailable(this);
            }

            @Override
            public void onAllDataRead() {
                if (drain()) complete();
            }

            @Override
            public void onError(Throwable t) {
                if (over) return;
                over = true;
                onFailure.run();
                error(ApiError.plain(400, "bad_request", "the request body could not be read"));
            }

            private void complete() {
                if (over) return;
                over = true;
                guard(onComplete);
            }

            /** Reads what is there; false when reading is over (failed, or a raw-framed body completed). */
            private boolean drain() {
                if (over) return false;
                try {
                    int ready;
                    while ((ready = in.readyData()) > 0) {
                        int n = in.read(buf, 0, Math.min(buf.length, ready));
                        if (n <= 0) break;
                        total += n;
                        if (total > limit + (raw == null ? 0 : 64 * 1024)) throw tooLarge(limit, setting);
                        if (raw == null) {
                            sink.write(buf, 0, n);
                        } else if (raw.feed(buf, 0, n, rawSink)) {
                            complete();
                            return false;
                        }
                    }
                    return true;
                } catch (ApiError e) {
                    over = true;
                    onFailure.run();
                    error(e);
                } catch (Throwable t) {
                    over = true;
                    onFailure.run();
                    String id = errors.report("reading the body of " + method + " " + path, t);
                    error(ApiError.plain(500, "internal_error", "internal error (error id " + id + ")"));
                }
                return false;
            }
        });
    }

    /** Enforces {@code limit} on the decoded bytes of a raw-framed body. */
    private static BodySink counting(BodySink sink, long limit, String setting) {
        long[] total = new long[1];
        return (b, off, len) -> {
            total[0] += len;
            if (total[0] > limit) throw tooLarge(limit, setting);
            sink.write(b, off, len);
        };
    }

    private static ApiError tooLarge(long limit, String setting) {
        return ApiError.plain(413, "request_too_large", "request body larger than the limit of " + limit
                + " bytes (" + setting + ")");
    }

    static String reason(int status) {
        switch (status) {
            case 200: return "OK";
            case 202: return "Accepted";
            case 400: return "Bad Request";
            case 401: return "Unauthorized";
            case 403: return "Forbidden";
            case 404: return "Not Found";
            case 405: return "Method Not Allowed";
            case 408: return "Request Timeout";
            case 413: return "Content Too Large";
            case 422: return "Unprocessable Entity";
            case 429: return "Too Many Requests";
            case 499: return "Client Closed Request";
            case 500: return "Internal Server Error";
            case 503: return "Service Unavailable";
            case 504: return "Gateway Timeout";
            default: return "Status " + status;
        }
    }

    static Map<String, String> parseQuery(String raw) {
        Map<String, String> out = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) return out;
        for (String pair : raw.split("&")) {
            if (pair.isEmpty()) continue;
            int eq = pair.indexOf('=');
            String k = eq < 0 ? pair : pair.substring(0, eq);
            String v = eq < 0 ? "" : pair.substring(eq + 1);
            try {
                out.putIfAbsent(URLDecoder.decode(k, StandardCharsets.UTF_8), URLDecoder.decode(v, StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                // a malformed escape: the parameter is ignored
            }
        }
        return out;
    }
}
