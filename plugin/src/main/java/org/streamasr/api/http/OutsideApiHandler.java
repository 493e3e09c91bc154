package org.streamasr.api.http;

import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import org.glassfish.grizzly.http.server.HttpHandler;
import org.glassfish.grizzly.http.server.Request;
import org.glassfish.grizzly.http.server.Response;
import org.streamasr.api.ApiConfig;
import org.streamasr.api.ApiError;
import org.streamasr.api.ApiMetrics;
import org.streamasr.api.ErrorLog;
import org.streamasr.api.jobs.JobService;
import org.streamasr.api.storage.UploadService;
import org.streamasr.apis.ServedModels;
import org.streamasr.apis.deepgram.DeepgramError;
import org.streamasr.apis.openai.OpenAiError;
import org.streamasr.engine.SpeechEngine;

/**
 * The REST side of the outside APIs on the hosted API's port, keys, queue and workers: OpenAI's
 * {@code POST /v1/audio/transcriptions} and {@code GET /v1/models}, Deepgram's pre-recorded {@code POST /v1/listen}.
 * Each answers in its own API's error shape. (Their WebSocket sides, {@code WS /v1/listen} and
 * {@code WS /v1/realtime}, are media adapters.)
 */
public final class OutsideApiHandler extends HttpHandler {
    public static final List<String> MAPPINGS = List.of("/v1/audio/transcriptions", "/v1/models", "/v1/listen");

    private final Endpoints ctx;
    private final ApiKeys keys;
    private final OpenAiEndpoints openai;
    private final DeepgramRestEndpoints deepgram;
    private volatile boolean closed;

    /** Shares {@code hosted}'s endpoints context: its queue, uploads, limits and the one body budget. */
    public OutsideApiHandler(ApiHttpHandler hosted, ServedModels models) {
        this.ctx = hosted.endpoints();
        this.keys = new ApiKeys(ctx.config.keys(), ctx.config.open());
        this.openai = new OpenAiEndpoints(ctx, models);
        this.deepgram = new DeepgramRestEndpoints(ctx, models);
    }

    /** From now on, new requests get 503. */
    public void refuseNewRequests() {
        closed = true;
    }

    @Override
    public void service(Request request, Response response) {
        HttpExchange ex = new HttpExchange(request, response, ctx.errors);
        String path = ex.path();
        if (path.equals("/v1/listen")) {
            String requestId = DeepgramRestEndpoints.newRequestId();
            DeepgramRestEndpoints.useDeepgramErrors(ex, requestId);
            ex.guard(() -> {
                refuseWhenClosed();
                requireMethod(ex, "POST");
                String owner = authenticate(ex, true);
                deepgram.listen(ex, owner, requestId);
            });
            return;
        }
        OpenAiEndpoints.useOpenAiErrors(ex);
        ex.guard(() -> {
            refuseWhenClosed();
            if (path.equals("/v1/models")) {
                requireMethod(ex, "GET");
                authenticate(ex, false);
                openai.listModels(ex);
            } else {
                requireMethod(ex, "POST");
                String owner = authenticate(ex, false);
                openai.transcribe(ex, owner);
            }
        });
    }

    private void refuseWhenClosed() throws ApiError {
        if (closed) throw ApiError.plain(503, "server_shutting_down", "the server is shutting down; retry shortly");
    }

    private static void requireMethod(HttpExchange ex, String method) throws ApiError {
        if (!ex.method.equals(method)) {
            throw ApiError.plain(405, "method_not_allowed", ex.path() + " takes " + method + ", not " + ex.method);
        }
    }

    /** The caller's owner fingerprint; a missing or wrong key is that API's 401. */
    private String authenticate(HttpExchange ex, boolean deepgramStyle) throws ApiError {
        try {
            return keys.authenticate(ex.header("Authorization"));
        } catch (ApiError e) {
            if (deepgramStyle) {
                throw DeepgramRestEndpoints.toApiError(DeepgramError.invalidAuth("Invalid credentials. " + e.getMessage()
                        .replace("'Authorization: Key <key>'", "'Authorization: Token <key>'")));
            }
            throw OpenAiEndpoints.toApiError(OpenAiError.invalidKey("Incorrect API key provided. " + e.getMessage()
                    .replace("'Authorization: Key <key>'", "'Authorization: Bearer <key>'")));
        }
    }
}
