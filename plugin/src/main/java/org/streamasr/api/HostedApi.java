package org.streamasr.api;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import javax.net.ssl.SSLContext;
import org.glassfish.grizzly.http.server.HttpServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.streamasr.api.fetch.AddressPolicy;
import org.streamasr.api.fetch.AudioFetcher;
import org.streamasr.api.fetch.PinnedHttpClient;
import org.streamasr.api.http.ApiHttpHandler;
import org.streamasr.api.jobs.EmbeddedJobBackend;
import org.streamasr.api.jobs.JobBackend;
import org.streamasr.api.http.OutsideApiHandler;
import org.streamasr.api.jobs.JobService;
import org.streamasr.api.jobs.TranscriptionRunner;
import org.streamasr.api.storage.EmbeddedUploadStore;
import org.streamasr.api.storage.UploadService;
import org.streamasr.api.storage.UploadStore;
import org.streamasr.api.store.ApiStore;
import org.streamasr.api.store.EmbeddedDeliveryStore;
import org.streamasr.api.webhook.WebhookDispatcher;
import org.streamasr.api.webhook.WebhookSigner;
import org.streamasr.apis.ServedModels;
import org.streamasr.audio.AudioFileDecoder;
import org.streamasr.engine.SpeechEngine;
import org.streamasr.runtime.ExecutorShutdown;
import org.streamasr.runtime.NamedThreads;

/**
 * The hosted API: a clone of the fal.ai endpoint {@code nvidia/nemotron-asr-multilingual/asr} (sync, queue with
 * status/stream/result/cancel, server-sent-event streaming, uploads, webhooks, and the {@code @fal-ai/client}
 * proxy), served by the given engine.
 *
 * <p>Threads (all owned here, all ended by {@link #close()}): {@code asr-api-worker-N} (the fixed pool that
 * fetches, decodes and feeds requests to the engine), {@code asr-api-events} (timers, event-stream writes,
 * retention sweeps), {@code asr-api-webhook-N} (webhook sends), {@code asr-api-lookup-N} (DNS look-ups of webhook
 * hosts at submission); in a cluster also {@code asr-api-store-N} (the calls a client's request makes that wait on
 * JetStream: submissions, status reads, upload claims; {@code asr.api.store-call-threads}) and {@code asr-api-gauges}
 * (the pending-webhooks figure for {@code /metrics}, refreshed every second). Grizzly's threads only parse, check and
 * enqueue.
 *
 * <p>State lives in an H2 MVStore file under {@code asr.api.store-dir}: queue requests survive restarts (queued ones
 * run after a restart; ones running at shutdown get the grace period, then run again from the start at the next
 * start), as do results, pending webhook deliveries and uploads.
 */
public final class HostedApi implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HostedApi.class);
    private static final long SWEEP_PERIOD_MILLIS = TimeUnit.MINUTES.toMillis(10);
    /** In a cluster, how often each node looks for webhook deliveries that are due (another node's, or orphaned). */
    private static final long WEBHOOK_RESCAN_MILLIS = 2000;
    private final ApiConfig config;
    private final ApiStore store;
    private final ScheduledThreadPoolExecutor events;
    private final ExecutorService webhookSenders;
    private final ThreadPoolExecutor lookups;
    /** Cluster only: {@code asr-api-store-N}, calls on JetStream made for clients' requests. */
    private final ThreadPoolExecutor storeCalls;
    /** Cluster only: {@code asr-api-gauges}, refreshes the figures a scrape must not wait for. */
    private final ScheduledThreadPoolExecutor gauges;
    private final ApiMetrics metrics;
    private final JobService jobs;
    private final WebhookDispatcher webhooks;
    private final ApiHttpHandler handler;
    private final OutsideApiHandler outside;
    private final UploadService uploads;
    private final ErrorLog errors;
    private final List<HttpServer> servers = new ArrayList<>();
    private boolean closed;

    /**
     * Opens the store, resumes unfinished requests and webhook deliveries, and starts the workers.
     *
     * @throws IOException when the store directory cannot be used (another server holds it, no permission)
     */
    public HostedApi(ApiConfig config, SpeechEngine engine, PrometheusRegistry registry) throws IOException {
        this(config, engine, registry, null, System::currentTimeMillis, null);
    }

    /**
     * As {@link #HostedApi(ApiConfig, SpeechEngine, PrometheusRegistry)}, also serving the outside APIs' REST side
     * (OpenAI transcriptions and models, Deepgram pre-recorded) on the same queue, with {@code models} resolving
     * their model names; with {@code cluster} (not null) the queue, results, webhooks and uploads live in the
     * cluster's shared stores instead of the embedded file, and every node serves every request.
     */
    public HostedApi(ApiConfig config, SpeechEngine engine, PrometheusRegistry registry, ServedModels models,
                     ClusterStores cluster) throws IOException {
        this(config, engine, registry, models, System::currentTimeMillis, cluster);
    }

    HostedApi(ApiConfig config, SpeechEngine engine, PrometheusRegistry registry, LongSupplier clock) throws IOException {
        this(config, engine, registry, null, clock, null);
    }

    private HostedApi(ApiConfig config, SpeechEngine engine, PrometheusRegistry registry, ServedModels models,
                      LongSupplier clock, ClusterStores cluster) throws IOException {
        this.config = config;
        Path dir = config.storeDir();
        Path tmp = dir.resolve("tmp");
        Files.createDirectories(tmp);
        clearDirectory(tmp);
        this.store = cluster == null ? ApiStore.open(dir) : null;
        boolean ok = false;
        try {
            this.events = new ScheduledThreadPoolExecutor(1, NamedThreads.single("asr-api-events", false));
            events.setRemoveOnCancelPolicy(true);
            events.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
            this.webhookSenders = Executors.newFixedThreadPool(config.webhooks().senders(),
                    NamedThreads.factory("asr-api-webhook", false));
            this.lookups = new ThreadPoolExecutor(2, 2, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(256),
                    NamedThreads.factory("asr-api-lookup", false));
            lookups.allowCoreThreadTimeOut(true);
            // they mostly wait (a submission up to asr.cluster.submit-timeout, a read up to the connection's request
            // timeout), so there are more than cores; a short queue, so that a request waits there far less than that
            this.storeCalls = cluster == null ? null : new ThreadPoolExecutor(config.storeCallThreads(),
                    config.storeCallThreads(), 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(config.storeCallQueue()),
                    NamedThreads.factory("asr-api-store", false));
            if (storeCalls != null) storeCalls.allowCoreThreadTimeOut(true);
            this.gauges = cluster == null ? null
                    : new ScheduledThreadPoolExecutor(1, NamedThreads.single("asr-api-gauges", false));
            JobService[] jobsRef = new JobService[1];
            WebhookDispatcher[] hooksRef = new WebhookDispatcher[1];
            IntSupplier livePending = () -> hooksRef[0] == null ? 0 : hooksRef[0].pending();
            RefreshedCount pending = cluster == null ? null : new RefreshedCount(livePending, System::nanoTime);
            this.metrics = new ApiMetrics(registry, () -> jobsRef[0] == null ? 0 : jobsRef[0].queued(),
                    () -> jobsRef[0] == null ? 0 : jobsRef[0].runningCount(),
                    pending == null ? livePending : pending::value, pending == null ? () -> 0 : pending::ageSeconds);
            this.errors = new ErrorLog(metrics.internalErrors::inc);
            if (storeCalls != null) {
                metrics.gauge("asr_api_store_calls_running", "Cluster: calls on JetStream for clients' requests "
                        + "running now (at most asr.api.store-call-threads)", storeCalls::getActiveCount);
                metrics.gauge("asr_api_store_calls_waiting", "Cluster: calls on JetStream for clients' requests "
                        + "waiting for a thread (beyond asr.api.store-call-queue: 503, store_busy)",
                        () -> storeCalls.getQueue().size());
            }
            PinnedHttpClient http = new PinnedHttpClient(new AddressPolicy(config.fetch().allowPrivateAddresses()),
                    config.fetch().connectTimeout(), defaultSsl(), "streamasr/0.1");
            UploadStore uploadStore = cluster == null ? new EmbeddedUploadStore(store, dir.resolve("uploads"))
                    : cluster.uploads(tmp.resolve("uploads"));
            this.uploads = new UploadService(uploadStore, tmp, config.uploads().ttl().toSeconds(),
                    config.uploads().uploadUrlTtl().toMillis(), clock);
            AudioFetcher fetcher = new AudioFetcher(http, uploads, config.limits().maxAudioBytes(), config.fetch().timeout(),
                    config.fetch().maxRedirects(), tmp);
            AudioFileDecoder decoder = new AudioFileDecoder(config.ffmpeg(), config.limits().decodeTimeout(),
                    config.limits().maxAudioDuration());
            TranscriptionRunner runner = new TranscriptionRunner(engine, fetcher, decoder, tmp, metrics, errors);
            String secret = webhookSecret(config, dir);
            if (cluster != null && config.webhooks().secret() == null) secret = cluster.sharedSecret(secret);
            this.webhooks = new WebhookDispatcher(config.webhooks(),
                    cluster == null ? new EmbeddedDeliveryStore(store) : cluster.deliveries(), http,
                    new WebhookSigner(secret), events, webhookSenders, metrics, clock);
            JobBackend backend = cluster == null
                    ? new EmbeddedJobBackend(store, config.maxQueued(), config.resultRetention().toMillis(), clock)
                    : cluster.jobBackend(config, clock);
            this.jobs = new JobService(config, backend, runner, webhooks, metrics, errors, events, clock);
            jobsRef[0] = jobs;
            hooksRef[0] = webhooks;
            this.handler = new ApiHttpHandler(config, jobs, uploads, engine, metrics, errors, events, lookups,
                    storeCalls, webhooks);
            this.outside = models == null ? null : new OutsideApiHandler(handler, models);
            jobs.start();
            webhooks.start(WEBHOOK_RESCAN_MILLIS);
            events.scheduleWithFixedDelay(this::sweepNow, SWEEP_PERIOD_MILLIS, SWEEP_PERIOD_MILLIS, TimeUnit.MILLISECONDS);
            if (pending != null) gauges.scheduleWithFixedDelay(pending::refresh, 0, 1, TimeUnit.SECONDS);
            ok = true;
        } finally {
            if (!ok && store != null) store.close();
        }
        LOG.info("hosted API ready: {} worker(s), queue of {}, store {}{}", config.workers(), config.maxQueued(), dir,
                config.keys().isEmpty() ? (config.open() ? ", open (no API keys)" : ", no API keys: requests are refused")
                        : ", " + config.keys().size() + " API key(s)");
    }

    /** Registers the API's handlers on {@code server} (any port; the server's other handlers are left alone). */
    public synchronized void install(HttpServer server) {
        server.getServerConfiguration().addHttpHandler(handler, ApiHttpHandler.MAPPINGS.toArray(new String[0]));
        if (outside != null) {
            server.getServerConfiguration().addHttpHandler(outside, OutsideApiHandler.MAPPINGS.toArray(new String[0]));
        }
        servers.add(server);
    }

    /**
     * Transcribes a whole uploaded file for an outside API (Riva's Recognize) on the API's queue and workers, with
     * the same decode, limits and engine feed as its own requests; stopped after {@code asr.api.sync-timeout}.
     *
     * @param language the resolved locale, or null for the engine's default
     * @throws ApiError 429 when the queue is full, 503 when shutting down
     */
    public org.streamasr.api.jobs.Job transcribeFile(String label, byte[] audio, SpeechEngine engine, String language,
                                                     org.streamasr.api.jobs.JobObserver observer) throws ApiError {
        var input = new org.streamasr.api.jobs.TranscriptionInput(label, language,
                org.streamasr.engine.Acceleration.REGULAR);
        var job = jobs.startEphemeral(JobService.newRequestId(), input, null, observer,
                new org.streamasr.api.jobs.EphemeralAudio(engine, audio));
        events.schedule(() -> jobs.stop(job, org.streamasr.api.jobs.Job.StopReason.TIMEOUT),
                config.syncTimeout().toMillis(), TimeUnit.MILLISECONDS);
        return job;
    }

    /** Stops a file started by {@link #transcribeFile} (its client went away). */
    public void cancel(org.streamasr.api.jobs.Job job) {
        jobs.stop(job, org.streamasr.api.jobs.Job.StopReason.CANCELLED);
    }

    /** The store, for other state kept beside the API's (call transcripts). */
    public ApiStore store() {
        return store;
    }

    /** The webhook sender, for other deliveries made like the API's (call transcripts). */
    public WebhookDispatcher webhooks() {
        return webhooks;
    }

    /**
     * Graceful stop: new requests get 503; running requests get {@code asr.api.grace-period} to finish, after which
     * queue requests still running are kept to run again at the next start; pending webhooks stay in the store.
     */
    @Override
    public void close() {
        close(() -> { });
    }

    /** As {@link #close()}; {@code beforeStoreCloses} runs (and may wait for other users of the store) just before. */
    public synchronized void close(Runnable beforeStoreCloses) {
        if (closed) return;
        closed = true;
        handler.refuseNewRequests();
        if (outside != null) outside.refuseNewRequests();
        if (storeCalls != null) {
            storeCalls.shutdown();   // calls already taken finish (answered 503 once the backend is closed)
            gauges.shutdownNow();
        }
        jobs.close();
        webhooks.close();
        handler.endStreams();
        webhookSenders.shutdown();
        lookups.shutdown();
        events.shutdown();
        ExecutorShutdown.drain(webhookSenders, config.webhooks().timeout().plusSeconds(1), "hosted API webhook senders",
                LOG);
        ExecutorShutdown.drain(events, Duration.ofSeconds(5), "hosted API events", LOG);
        ExecutorShutdown.drain(lookups, Duration.ofSeconds(5), "hosted API lookups", LOG);
        if (storeCalls != null) {
            ExecutorShutdown.drain(storeCalls, Duration.ofSeconds(5), "hosted API store calls", LOG);
            ExecutorShutdown.drain(gauges, Duration.ofSeconds(5), "hosted API gauges", LOG);
        }
        for (HttpServer s : servers) {
            s.getServerConfiguration().removeHttpHandler(handler);
            if (outside != null) s.getServerConfiguration().removeHttpHandler(outside);
        }
        beforeStoreCloses.run();
        if (store != null) store.close();
        metrics.unregister();
        LOG.info("hosted API stopped");
    }

    /** Deletes results past the retention and expired uploads (every 10 minutes on the events thread). */
    void sweepNow() {
        try {
            jobs.sweep();
            uploads.sweep();
            if (store != null) store.compact();
        } catch (RuntimeException e) {
            errors.report("retention sweep", e);
        }
    }

    private static String webhookSecret(ApiConfig config, Path dir) throws IOException {
        if (config.webhooks().secret() != null) return config.webhooks().secret();
        Path file = dir.resolve("webhook-secret");
        if (Files.exists(file)) {
            String s = Files.readString(file, StandardCharsets.UTF_8).trim();
            if (!s.isEmpty()) return s;
        }
        byte[] b = new byte[32];
        new SecureRandom().nextBytes(b);
        String secret = HexFormat.of().formatHex(b);
        Files.writeString(file, secret + "\n", StandardCharsets.UTF_8);
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException ignored) {
            // not a POSIX file system
        }
        LOG.info("hosted API: generated a webhook signing secret in {} (set asr.api.webhooks.secret or "
                + "ASR_WEBHOOK_SECRET to choose one)", file);
        return secret;
    }

    private static SSLContext defaultSsl() {
        try {
            return SSLContext.getDefault();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("no TLS support in this JVM", e);
        }
    }

    private static void clearDirectory(Path dir) throws IOException {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path f : files) Files.deleteIfExists(f);
        }
    }
}
