package org.streamasr.api.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import org.streamasr.api.ApiConfig;
import org.streamasr.api.ApiError;
import org.streamasr.api.ApiMetrics;
import org.streamasr.api.ErrorLog;
import org.streamasr.api.jobs.JobService;
import org.streamasr.api.storage.UploadService;
import org.streamasr.engine.SpeechEngine;

/** What the endpoint classes share, and their common steps. */
final class Endpoints {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String APP = "nvidia/nemotron-asr-multilingual";
    static final String ENDPOINT = "asr";
    static final String MODEL_ID = APP + "/" + ENDPOINT;
    static final String REQUEST_ID_HEADER = "x-fal-request-id";

    interface JsonAction {
        void accept(JsonNode body) throws Exception;
    }

    final ApiConfig config;
    final JobService jobs;
    final UploadService uploads;
    final SpeechEngine engine;
    final ApiMetrics metrics;
    final ErrorLog errors;
    final ScheduledExecutorService events;
    final Set<SseStream> streams = ConcurrentHashMap.newKeySet();

    Endpoints(ApiConfig config, JobService jobs, UploadService uploads, SpeechEngine engine, ApiMetrics metrics,
              ErrorLog errors, ScheduledExecutorService events) {
        this.config = config;
        this.jobs = jobs;
        this.uploads = uploads;
        this.engine = engine;
        this.metrics = metrics;
        this.errors = errors;
        this.events = events;
    }

    String baseUrl(HttpExchange ex) {
        return BaseUrl.of(ex, config.publicBaseUrl(), config.trustForwardedHeaders());
    }

    /** Reads the body as JSON (bounded), then runs {@code then} with it; bad JSON is a 422 like FastAPI's. */
    void readJson(HttpExchange ex, JsonAction then) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        ex.readBody(config.limits().maxRequestBody(), buf::write, () -> {
            JsonNode body;
            if (buf.size() == 0) {
                body = null;
            } else {
                try {
                    body = JSON.readTree(buf.toByteArray());
                } catch (JsonProcessingException e) {
                    metrics.rejected.labelValues("invalid").inc();
                    throw ApiError.fields(422, List.of(new ApiError.FieldError(null,
                            "JSON decode error: " + e.getOriginalMessage(), "json_invalid")));
                }
            }
            then.accept(body);
        }, () -> { });
    }

    /** An SSE stream registered for shutdown. */
    SseStream sse(HttpExchange ex, java.util.Map<String, String> headers, Runnable onGone) {
        SseStream[] self = new SseStream[1];
        SseStream s = new SseStream(ex, events, config.streaming().heartbeat().toNanos(),
                config.streaming().stalledClientTimeout().toNanos(), metrics, headers, onGone,
                () -> streams.remove(self[0]));
        self[0] = s;
        streams.add(s);
        return s;
    }

    static ApiError notFound(String what) {
        return ApiError.plain(404, "not_found", what);
    }
}
