package org.streamasr.api.jobs;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.streamasr.api.ApiConfig;
import org.streamasr.api.ApiError;
import org.streamasr.api.ApiMetrics;
import org.streamasr.api.ErrorLog;
import org.streamasr.api.store.DeliveryRecord;
import org.streamasr.api.store.LogLine;
import org.streamasr.api.store.Outcome;

/**
 * The request lifecycle, as the HTTP endpoints see it: submit, status, cancel, status subscriptions. Queue requests
 * (fal's queue.fal.run) are durable in a {@link JobBackend} (the embedded store, or JetStream in a cluster), which also
 * hands {@link JobWorkers} their next job; their webhook delivery is recorded with their result. Sync and streaming
 * requests share the workers but live only as long as their HTTP exchange.
 */
public final class JobService implements AutoCloseable {

    /** Where a request stands, for the status endpoints. {@code queuePosition} is -1 unless IN_QUEUE. */
    /** @param webhookState null without webhook; PENDING, RETRYING, DELIVERED or FAILED, with ": last error" */
    public record JobStatus(String id, Job.State state, int queuePosition, List<LogLine> logs, Outcome outcome,
                            String webhookState) {
    }

    /** The error_type (and rejected-counter reason) of a submission not stored within its submit timeout. */
    public static final String SUBMIT_TIMEOUT = "submit_timeout";

    /** fal's cancel answers. */
    public enum CancelResult { CANCELLATION_REQUESTED, ALREADY_COMPLETED, NOT_FOUND }

    /** Builds and sends the webhook deliveries of completed queue requests. */
    public interface WebhookSink {
        DeliveryRecord delivery(String requestId, String webhookUrl, Outcome outcome);

        void schedule(DeliveryRecord delivery);
    }

    private final ApiConfig config;
    private final JobBackend backend;
    private final WebhookSink webhooks;
    private final ApiMetrics metrics;
    private final LongSupplier clock;
    private final JobWorkers workers;
    private final StatusSubscribers subscribers = new StatusSubscribers();
    private final AtomicLong seq = new AtomicLong();
    private final JobObserver durable = new DurableObserver();
    private volatile boolean closing;

    public JobService(ApiConfig config, JobBackend backend, TranscriptionRunner runner, WebhookSink webhooks,
                      ApiMetrics metrics, ErrorLog errors, ScheduledExecutorService scheduler, LongSupplier clock) {
        this.config = config;
        this.backend = backend;
        this.webhooks = webhooks;
        this.metrics = metrics;
        this.clock = clock;
        this.workers = new JobWorkers(config, backend, runner, new WorkerCompletion(), metrics, errors, scheduler, clock);
    }

    /** Lets the backend recover what an earlier run left, then starts the workers. */
    public void start() {
        // submission numbers only order requests of one priority; in a cluster they follow the clock
        seq.set(backend instanceof EmbeddedJobBackend e ? e.lastSeq() : clock.getAsLong() * 1000);
        backend.start(new BackendHooks());
        workers.start();
    }

    /**
     * Accepts a queue request: durable before this returns, so an acknowledged request survives a crash.
     *
     * @param acceptedAtNanos when the request was accepted ({@link System#nanoTime()}): the {@link #submitTimeout()}
     *                        counts from there
     * @throws ApiError 429 when the queue is full, 503 while shutting down or when the store did not confirm in time
     */
    public Job submitQueued(TranscriptionInput input, String owner, boolean lowPriority, String webhookUrl,
                            long acceptedAtNanos) throws ApiError {
        checkOpen();
        Job job = new Job(newRequestId(), Job.Kind.QUEUE, input, owner, lowPriority, webhookUrl, seq.incrementAndGet(),
                clock.getAsLong(), durable);
        job.log("INFO", "request received");
        try {
            backend.submit(job, acceptedAtNanos);
        } catch (ApiError e) {
            if (e.status() == 429) metrics.rejected.labelValues("queue_full").inc();
            else if (e.status() == 503) metrics.rejected.labelValues(e.errorType()).inc();   // submit_timeout
            throw e;
        }
        subscribers.notify(job.id());
        return job;
    }

    /**
     * How long a submission may take from its acceptance (asr.cluster.submit-timeout), its wait for a store-call
     * thread included; null: no bound (one node: a local file).
     */
    public Duration submitTimeout() {
        return backend.submitTimeout();
    }

    /** The queue position a submission is answered with (never waits long on a shared store). */
    public int positionOfSubmitted(Job job) {
        return backend.positionOfSubmitted(job);
    }

    /** A new request id (fal's are UUIDs). */
    public static String newRequestId() {
        return UUID.randomUUID().toString();
    }

    /**
     * Starts a request of an outside API (OpenAI, Deepgram) on the same queue and workers: {@code ephemeral} names
     * the engine of the model it asked for and may carry the uploaded audio (then {@code input.audioUrl()} is only a
     * label).
     */
    public Job startEphemeral(String id, TranscriptionInput input, String owner, JobObserver observer,
                              EphemeralAudio ephemeral) throws ApiError {
        checkOpen();
        Job job = new Job(id, Job.Kind.SYNC, input, owner, false, null, seq.incrementAndGet(), clock.getAsLong(),
                observer, ephemeral);
        if (!backend.offerEphemeral(job)) {
            metrics.rejected.labelValues("queue_full").inc();
            throw queueFullError(config.maxQueued());
        }
        return job;
    }

    /** Starts a sync or streaming request on this node; its observer hears everything, including the end. */
    public Job startEphemeral(String id, Job.Kind kind, TranscriptionInput input, String owner, JobObserver observer)
            throws ApiError {
        checkOpen();
        Job job = new Job(id, kind, input, owner, false, null, seq.incrementAndGet(), clock.getAsLong(), observer);
        if (!backend.offerEphemeral(job)) {
            metrics.rejected.labelValues("queue_full").inc();
            throw queueFullError(config.maxQueued());
        }
        return job;
    }

    /** The status of a request this owner may see, or null. */
    public JobStatus status(String id, String owner) {
        return backend.status(id, owner);
    }

    /** fal's cancel: a waiting request is removed, a running one is stopped wherever it runs. */
    public CancelResult cancel(String id, String owner) {
        return backend.cancel(id, owner);
    }

    /** Stops a request of this node: removed if still waiting (and completed at once), else asked to stop where it is. */
    public void stop(Job job, Job.StopReason reason) {
        if (backend.removeWaiting(job)) {
            job.requestStop(reason);
            finish(job, stoppedOutcome(job, reason, 0));
            subscribers.notifyEveryone();
        } else {
            job.requestStop(reason);
        }
    }

    /**
     * Calls {@code onChange} (from any thread; it must not block) whenever the status of {@code id} may have
     * changed: state, queue position, new log lines. Returns the unsubscribe action.
     */
    public Runnable subscribe(String id, Runnable onChange) {
        return subscribers.add(id, onChange);
    }

    public int queued() {
        return backend.queued();
    }

    public int runningCount() {
        return workers.runningCount();
    }

    /** Deletes completed requests older than the retention. */
    public void sweep() {
        backend.sweep();
    }

    /**
     * Graceful stop: no new requests; waiting sync/stream requests end with 503; running requests get the grace
     * period (in a cluster, queue requests are handed back at once so another node runs them), then queue requests
     * still running are handed back to run again from the start, the others end with 503.
     */
    @Override
    public void close() {
        if (closing) return;
        closing = true;
        for (Job j : backend.stopTaking()) finish(j, stoppedOutcome(j, Job.StopReason.SHUTDOWN, 0));
        workers.stop(backend.shared());
        backend.close();
    }

    private void finish(Job job, Outcome outcome) {
        synchronized (job) {
            if (job.state() == Job.State.COMPLETED) return;
            job.markCompleted(outcome, clock.getAsLong());
        }
        if (job.kind() == Job.Kind.QUEUE) {
            DeliveryRecord delivery = job.webhookUrl() == null ? null
                    : webhooks.delivery(job.id(), job.webhookUrl(), outcome);
            if (!backend.completed(job, delivery)) return;   // another node's result stands
            if (delivery != null) webhooks.schedule(delivery);
            subscribers.notify(job.id());
        }
        String result = outcome.ok() ? "ok" : isStopOutcome(outcome) ? "cancelled" : "error";
        metrics.completed.labelValues(mode(job), result).inc();
        job.observer().onCompleted(job, outcome);
    }

    static Outcome stoppedOutcome(Job job, Job.StopReason reason, double seconds) {
        Outcome o = Outcomes.stopped(reason, seconds);
        job.log("WARN", o.error());
        return o;
    }

    static boolean isStopOutcome(Outcome o) {
        return o != null && o.status() == 499;
    }

    static String mode(Job job) {
        return job.kind().name().toLowerCase(java.util.Locale.ROOT);
    }

    private void checkOpen() throws ApiError {
        if (closing) {
            metrics.rejected.labelValues("shutting_down").inc();
            throw ApiError.plain(503, "runner_scheduling_failure", "the server is shutting down; retry shortly");
        }
    }

    /**
     * 503 {@link #SUBMIT_TIMEOUT}: a submission not stored within {@code timeout} of its acceptance; it was not accepted
     * and never runs.
     */
    public static ApiError submitTimeoutError(Duration timeout, String why) {
        return ApiError.plain(503, SUBMIT_TIMEOUT, "the queue did not store the request within " + timeout.toMillis()
                + " ms (asr.cluster.submit-timeout; " + why + "); it was not accepted and will not run: retry shortly");
    }

    /** 429: the queue is full. */
    public static ApiError queueFullError(int maxQueued) {
        return ApiError.plain(429, "runner_scheduling_failure", "too many requests: the queue is full ("
                + maxQueued + " waiting, asr.api.max-queued); retry later");
    }

    private final class WorkerCompletion implements JobWorkers.Completion {
        @Override
        public void finish(Job job, Outcome outcome) {
            JobService.this.finish(job, outcome);
        }

        @Override
        public void handBack(Job job) {
            backend.handBack(job);
            subscribers.notify(job.id());
        }

        @Override
        public void started(Job job) {
            job.observer().onStarted(job);
            subscribers.notifyEveryone();
        }
    }

    private final class BackendHooks implements JobBackend.Hooks {
        @Override
        public JobObserver durableObserver() {
            return durable;
        }

        @Override
        public void stop(Job job, Job.StopReason reason) {
            JobService.this.stop(job, reason);
        }

        @Override
        public void stopRunning(String id, Job.StopReason reason) {
            Job j = workers.running(id);
            if (j != null) j.requestStop(reason);
        }

        @Override
        public DeliveryRecord delivery(String requestId, String webhookUrl, Outcome outcome) {
            return webhookUrl == null ? null : webhooks.delivery(requestId, webhookUrl, outcome);
        }

        @Override
        public void schedule(DeliveryRecord delivery) {
            webhooks.schedule(delivery);
        }

        @Override
        public void changed(String id) {
            if (id == null) subscribers.notifyEveryone();
            else subscribers.notify(id);
        }
    }

    /** Queue requests: the backend follows every state change; status subscribers hear about them. */
    private final class DurableObserver implements JobObserver {
        @Override
        public void onStarted(Job job) {
            backend.started(job);
        }

        @Override
        public void onLog(Job job, LogLine line) {
            backend.logged(job, line);
            subscribers.notify(job.id());
        }

        @Override
        public void onCompleted(Job job, Outcome outcome) {
            // stored and announced by finish()
        }
    }
}
