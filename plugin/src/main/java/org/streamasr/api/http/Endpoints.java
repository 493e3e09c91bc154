package org.streamasr.api.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.Reader;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.streamasr.api.ApiConfig;
import org.streamasr.api.ApiError;
import org.streamasr.api.ApiMetrics;
import org.streamasr.api.ErrorLog;
import org.streamasr.api.fetch.DataUriDecoder;
import org.streamasr.api.fetch.FetchException;
import org.streamasr.api.jobs.TranscriptionRunner;
import org.streamasr.api.store.UploadRecord;
import org.streamasr.api.webhook.WebhookDispatcher;
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

    /** What a queue submission does with its body; {@code acceptedAtNanos}: see {@link #readSubmission}. */
    interface SubmissionAction {
        void accept(JsonNode body, long acceptedAtNanos) throws Exception;
    }

    final ApiConfig config;
    final JobService jobs;
    final UploadService uploads;
    final SpeechEngine engine;
    final ApiMetrics metrics;
    final ErrorLog errors;
    final ScheduledExecutorService events;
    /** Blocking look-ups at submission (DNS for a webhook's host), off the network threads. */
    final Executor lookups;
    /** In a cluster, the calls that wait on JetStream, off the network threads; null on one node (see offStore). */
    private final Executor storeCalls;
    /** asr.cluster.submit-timeout, counted from a submission's acceptance; null on one node. */
    private final Duration submitTimeout;
    final WebhookDispatcher webhooks;
    final Set<SseStream> streams = ConcurrentHashMap.newKeySet();
    private final Path tempDir;
    private final BodyBudget bodyBudget;
    private final JsonBodyReader jsonReader;

    Endpoints(ApiConfig config, JobService jobs, UploadService uploads, SpeechEngine engine, ApiMetrics metrics,
              ErrorLog errors, ScheduledExecutorService events, Executor lookups, Executor storeCalls,
              WebhookDispatcher webhooks) {
        this.config = config;
        this.jobs = jobs;
        this.uploads = uploads;
        this.engine = engine;
        this.metrics = metrics;
        this.errors = errors;
        this.events = events;
        this.lookups = lookups;
        this.storeCalls = storeCalls;
        this.submitTimeout = jobs.submitTimeout();
        this.webhooks = webhooks;
        this.tempDir = config.storeDir().resolve("tmp");
        this.bodyBudget = new BodyBudget(config.limits().bodyBudget());
        metrics.gauge("asr_api_body_budget_used_bytes", "Bytes of request bodies being read or parsed now, held against "
                + "asr.api.limits.body-budget", bodyBudget::used);
        this.jsonReader = new JsonBodyReader(config.limits().maxRequestBody());
    }

    /**
     * Runs {@code action} (guarded) where it may wait on the job store: in a cluster on the bounded store-call pool,
     * so the network thread returns at once (the exchange is suspended; the pool's thread answers); when that pool's
     * queue is full, 503 with Retry-After ({@code store_busy}, counted) and {@code onRefused} runs. On one node the
     * store is a local file: the action runs here, as fast as before.
     */
    void offStore(HttpExchange ex, HttpExchange.Action action, Runnable onRefused) {
        offStore(ex, null, acceptedAt -> action.run(), onRefused);
    }

    /** An action told when its request was accepted ({@link System#nanoTime()}, before it waited for a thread). */
    private interface TimedAction {
        void run(long acceptedAtNanos) throws Exception;
    }

    /**
     * {@link #offStore(HttpExchange, HttpExchange.Action, Runnable)} with a time limit counted from now ({@code bound},
     * null: none): an action still waiting for a store-call thread when it is up never runs; the client gets 503
     * {@code submit_timeout} then (counted) and {@code onRefused} runs. Once taken by a thread, the action itself keeps
     * to the limit (it is told when it started counting).
     */
    private void offStore(HttpExchange ex, Duration bound, TimedAction action, Runnable onRefused) {
        long acceptedAt = System.nanoTime();
        if (storeCalls == null) {
            ex.guard(() -> action.run(acceptedAt));
            return;
        }
        AtomicBoolean taken = new AtomicBoolean();   // once: by a store-call thread, by the time limit or a refusal
        Future<?> expiry = null;
        try {
            if (bound != null) {
                expiry = events.schedule(() -> {
                    if (!taken.compareAndSet(false, true)) return;
                    onRefused.run();
                    metrics.rejected.labelValues(JobService.SUBMIT_TIMEOUT).inc();
                    ex.error(JobService.submitTimeoutError(bound, "it waited that long for a store-call thread "
                            + "(asr.api.store-call-threads)"));
                }, bound.toNanos(), TimeUnit.NANOSECONDS);
            }
            Future<?> timer = expiry;
            storeCalls.execute(() -> {
                if (!taken.compareAndSet(false, true)) return;   // answered when its time was up
                if (timer != null) timer.cancel(false);
                ex.guard(() -> action.run(acceptedAt));
            });
        } catch (RejectedExecutionException e) {
            if (expiry != null) expiry.cancel(false);
            if (!taken.compareAndSet(false, true)) return;
            onRefused.run();
            metrics.rejected.labelValues("store_busy").inc();
            ex.error(ApiError.plain(503, "runner_scheduling_failure",
                    "too many requests waiting on the cluster store; retry shortly"));
        }
    }

    void offStore(HttpExchange ex, HttpExchange.Action action) {
        offStore(ex, action, () -> { });
    }

    /** Whether {@link #offStore}'s actions run on the store-call pool (a cluster), a thread that may wait. */
    boolean onStoreCallPool() {
        return storeCalls != null;
    }

    /** Where status-stream updates read the store: the store-call pool in a cluster, else the events thread. */
    Executor statusReads() {
        return storeCalls == null ? events : storeCalls;
    }

    String baseUrl(HttpExchange ex) {
        return BaseUrl.of(ex, config.publicBaseUrl(), config.trustForwardedHeaders());
    }

    /**
     * Reads the body as JSON, then runs {@code then} with it; bad JSON is a 422 like FastAPI's. The body is bounded
     * by {@code max-request-body}, takes its share of the body budget while it is read and parsed (503 past it),
     * spills to disk past 64 KiB, and a large data: URI in {@code audio_url} is decoded straight from that file into
     * an inline upload of {@code owner}'s, whose file URL replaces it. Parsing and {@code then} run via
     * {@link #offStore} (in a cluster the upload and a submission wait on JetStream).
     */
    void readJson(HttpExchange ex, String owner, JsonAction then) {
        readJson(ex, owner, null, (json, acceptedAt) -> then.accept(json));
    }

    /**
     * {@link #readJson} for a queue submission: its {@code asr.cluster.submit-timeout} counts from the end of the body
     * (before it waits for a store-call thread), and {@code then} is told when that was, for the job store to keep to.
     */
    void readSubmission(HttpExchange ex, String owner, SubmissionAction then) {
        readJson(ex, owner, submitTimeout, then);
    }

    private void readJson(HttpExchange ex, String owner, Duration bound, SubmissionAction then) {
        long limit = config.limits().maxRequestBody();
        SpooledBody body = new SpooledBody(tempDir);
        BodyBudget.Claim claim = bodyBudget.claim();
        Runnable release = () -> {
            body.close();
            claim.close();
        };
        long declared = ex.request.getContentLengthLong();
        try {
            if (declared > 0) claim.growTo(Math.min(declared, limit));
        } catch (ApiError e) {
            metrics.rejected.labelValues("body_budget").inc();
            release.run();
            // close rather than drain: the body we refuse would otherwise still be read (and buffered) to reuse
            // the connection, which is what the budget is there to avoid
            ex.response.setHeader("Connection", "close");
            ex.error(e);
            return;
        }
        long[] received = new long[1];
        ex.readBody(limit, "asr.api.limits.max-request-body", (b, off, len) -> {
            received[0] += len;
            try {
                claim.growTo(received[0]);
            } catch (ApiError e) {
                metrics.rejected.labelValues("body_budget").inc();
                throw e;
            }
            body.write(b, off, len);
        }, () -> offStore(ex, bound, acceptedAt -> {
            List<URI> inline = new ArrayList<>();
            boolean handedOver = false;
            try {
                JsonNode json;
                try {
                    json = jsonReader.read(body, uri -> storeInline(ex, owner, uri, inline));
                } catch (JsonProcessingException e) {
                    metrics.rejected.labelValues("invalid").inc();
                    throw ApiError.fields(422, List.of(new ApiError.FieldError(null,
                            "JSON decode error: " + e.getOriginalMessage(), "json_invalid")));
                } catch (FetchException e) {
                    metrics.rejected.labelValues("invalid").inc();
                    throw TranscriptionRunner.fetchError(e);
                } finally {
                    release.run();
                }
                then.accept(json, acceptedAt);
                handedOver = true;
            } finally {
                if (!handedOver) for (URI u : inline) uploads.release(u);
            }
        }, release), release);
    }

    /** What a handler does with a whole body read into memory. */
    interface BytesAction {
        void accept(byte[] body) throws Exception;
    }

    /**
     * Reads a body that a handler needs whole in memory (a multipart form, raw audio) under {@code limit} (413 naming
     * {@code setting}) and under the same body budget as JSON bodies (503 with Retry-After past it); the budget is
     * held until {@code then} returns.
     */
    void readBytes(HttpExchange ex, long limit, String setting, BytesAction then) {
        java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();
        BodyBudget.Claim claim = bodyBudget.claim();
        long declared = ex.request.getContentLengthLong();
        try {
            if (declared > 0) claim.growTo(Math.min(declared, limit));
        } catch (ApiError e) {
            metrics.rejected.labelValues("body_budget").inc();
            claim.close();
            ex.error(e);
            return;
        }
        ex.readBody(limit, setting, (b, off, len) -> {
            try {
                claim.growTo(buf.size() + (long) len);
            } catch (ApiError e) {
                metrics.rejected.labelValues("body_budget").inc();
                throw e;
            }
            buf.write(b, off, len);
        }, () -> {
            try {
                then.accept(buf.toByteArray());
            } finally {
                claim.close();
            }
        }, claim::close);
    }

    /** Drops the inline upload behind {@code audioUrl} (a request refused after its body was read). */
    void releaseInline(String audioUrl) {
        if (audioUrl == null || audioUrl.regionMatches(true, 0, "data:", 0, 5)) return;
        try {
            uploads.release(URI.create(audioUrl));
        } catch (IllegalArgumentException notAUrl) {
            // nothing of ours
        }
    }

    private String storeInline(HttpExchange ex, String owner, Reader dataUri, List<URI> stored)
            throws IOException, FetchException {
        UploadRecord r = uploads.storeInline(owner, out -> DataUriDecoder.decode(dataUri, out, config.limits().maxAudioBytes()));
        String url = baseUrl(ex) + "/storage/files/" + r.id() + "/" + URLEncoder.encode(r.fileName(), StandardCharsets.UTF_8);
        stored.add(URI.create(url));
        return url;
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
