package org.streamasr.api.jobs;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.streamasr.api.ApiConfig;
import org.streamasr.api.ApiError;
import org.streamasr.api.ApiMetrics;
import org.streamasr.api.ErrorLog;
import org.streamasr.api.store.ApiStore;
import org.streamasr.api.store.DeliveryRecord;
import org.streamasr.api.store.JobRecord;
import org.streamasr.api.store.LogLine;
import org.streamasr.api.store.Outcome;
import org.streamasr.engine.Acceleration;

/**
 * The request lifecycle: a bounded queue in front of a fixed pool of worker threads. Queue requests (fal's
 * queue.fal.run) are durable: written to the {@link ApiStore} when accepted, started and completed, recovered at
 * start-up, and their webhook delivery is recorded in the same commit as their result. Sync and streaming requests
 * share the queue and the workers but live only as long as their HTTP exchange.
 */
public final class JobService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(JobService.class);
    private static final String SEQ_KEY = "job-seq";

    /** Where a request stands, for the status endpoints. {@code queuePosition} is -1 unless IN_QUEUE. */
    public record JobStatus(String id, Job.State state, int queuePosition, List<LogLine> logs, Outcome outcome) {
    }

    /** fal's cancel answers. */
    public enum CancelResult { CANCELLATION_REQUESTED, ALREADY_COMPLETED, NOT_FOUND }

    /** Builds the webhook delivery of a completed queue request. */
    public interface WebhookSink {
        DeliveryRecord delivery(Job job, Outcome outcome);

        void schedule(DeliveryRecord delivery);
    }

    private final ApiConfig config;
    private final ApiStore store;
    private final TranscriptionRunner runner;
    private final WebhookSink webhooks;
    private final ApiMetrics metrics;
    private final ErrorLog errors;
    private final ScheduledExecutorService scheduler;
    private final LongSupplier clock;

    private final JobQueue queue;
    private final Map<String, Job> active = new ConcurrentHashMap<>();
    private final Set<Job> running = ConcurrentHashMap.newKeySet();
    private final StatusSubscribers subscribers = new StatusSubscribers();
    private final List<Thread> workers = new ArrayList<>();
    private final AtomicLong seq = new AtomicLong();
    private final JobObserver durable = new DurableObserver();
    private volatile boolean closing;

    public JobService(ApiConfig config, ApiStore store, TranscriptionRunner runner, WebhookSink webhooks,
                      ApiMetrics metrics, ErrorLog errors, ScheduledExecutorService scheduler, LongSupplier clock) {
        this.config = config;
        this.store = store;
        this.runner = runner;
        this.webhooks = webhooks;
        this.metrics = metrics;
        this.errors = errors;
        this.scheduler = scheduler;
        this.clock = clock;
        this.queue = new JobQueue(config.maxQueued());
    }

    /** Re-queues the requests a previous run accepted but did not finish, then starts the workers. */
    public void start() {
        List<JobRecord> unfinished = new ArrayList<>();
        long maxSeq = parseLong(store.meta(SEQ_KEY));
        for (JobRecord r : store.jobs()) {
            maxSeq = Math.max(maxSeq, r.seq());
            if (!"COMPLETED".equals(r.state())) unfinished.add(r);
        }
        seq.set(maxSeq);
        unfinished.sort(Comparator.comparing((JobRecord r) -> "IN_PROGRESS".equals(r.state()) ? 0 : 1)
                .thenComparing(r -> "low".equals(r.priority()) ? 1 : 0).thenComparingLong(JobRecord::seq));
        for (JobRecord r : unfinished) {
            TranscriptionInput in = new TranscriptionInput(r.audioUrl(), r.language(),
                    Acceleration.valueOf(r.acceleration().toUpperCase(java.util.Locale.ROOT)));
            Job job = new Job(r.id(), Job.Kind.QUEUE, in, r.owner(), "low".equals(r.priority()), r.webhookUrl(), r.seq(),
                    r.createdAtMillis(), durable);
            boolean wasRunning = "IN_PROGRESS".equals(r.state());
            job.restore(r.logs(), wasRunning);
            if (wasRunning) {
                job.log("INFO", "the server restarted while this request was running; it runs again from the start");
                store.putJob(record(job, r.webhookState()));
            }
            active.put(job.id(), job);
            queue.addRecovered(job);
        }
        store.commit();
        if (!unfinished.isEmpty()) LOG.info("hosted API: resuming {} queued request(s) from the store", unfinished.size());
        for (int i = 1; i <= config.workers(); i++) {
            Thread t = new Thread(this::workerLoop, "asr-api-worker-" + i);
            workers.add(t);
            t.start();
        }
    }

    /**
     * Accepts a queue request: stored and committed before this returns, so an acknowledged request survives a crash.
     *
     * @throws ApiError 429 when the queue is full, 503 while shutting down
     */
    public Job submitQueued(TranscriptionInput input, String owner, boolean lowPriority, String webhookUrl) throws ApiError {
        checkOpen();
        long n = seq.incrementAndGet();
        Job job = new Job(newRequestId(), Job.Kind.QUEUE, input, owner, lowPriority, webhookUrl, n,
                clock.getAsLong(), durable);
        job.log("INFO", "request received");
        synchronized (queue) {
            active.put(job.id(), job);
            store.putJob(record(job, webhookUrl == null ? null : "PENDING"));
            store.putMeta(SEQ_KEY, Long.toString(n));
            if (!queue.offer(job)) {
                active.remove(job.id());
                store.removeJob(job.id());
                store.commit();
                throw queueFull();
            }
            store.commit();
        }
        subscribers.notify(job.id());
        return job;
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
        if (!queue.offer(job)) throw queueFull();
        return job;
    }

    /** Starts a sync or streaming request; its observer hears everything, including the end. */
    public Job startEphemeral(String id, Job.Kind kind, TranscriptionInput input, String owner, JobObserver observer)
            throws ApiError {
        checkOpen();
        Job job = new Job(id, kind, input, owner, false, null, seq.incrementAndGet(), clock.getAsLong(), observer);
        if (!queue.offer(job)) throw queueFull();
        return job;
    }

    /** The status of a request this owner may see, or null. */
    public JobStatus status(String id, String owner) {
        Job job = active.get(id);
        if (job != null) {
            if (!Objects.equals(job.owner(), owner)) return null;
            synchronized (job) {
                Job.State s = job.state();
                if (s != Job.State.COMPLETED) {
                    int pos = s == Job.State.IN_QUEUE ? Math.max(0, queue.position(job)) : -1;
                    return new JobStatus(id, s, pos, job.logs(), null);
                }
            }
        }
        JobRecord r = store.job(id);
        if (r == null || !Objects.equals(r.owner(), owner)) return null;
        return new JobStatus(id, Job.State.valueOf(r.state()), "IN_QUEUE".equals(r.state()) ? 0 : -1, r.logs(), r.outcome());
    }

    /** fal's cancel: a waiting request is removed, a running one is stopped. */
    public CancelResult cancel(String id, String owner) {
        Job job = active.get(id);
        if (job == null || !Objects.equals(job.owner(), owner)) {
            JobRecord r = store.job(id);
            if (r == null || !Objects.equals(r.owner(), owner)) return CancelResult.NOT_FOUND;
            return CancelResult.ALREADY_COMPLETED;
        }
        if (job.state() == Job.State.COMPLETED) return CancelResult.ALREADY_COMPLETED;
        stop(job, Job.StopReason.CANCELLED);
        return job.state() == Job.State.COMPLETED && !isStopOutcome(job.outcome())
                ? CancelResult.ALREADY_COMPLETED : CancelResult.CANCELLATION_REQUESTED;
    }

    /** Stops a request: removed if still waiting (and completed at once), else asked to stop where it is. */
    public void stop(Job job, Job.StopReason reason) {
        if (queue.remove(job)) {
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
        return queue.size();
    }

    public int runningCount() {
        return running.size();
    }

    /** Deletes completed requests older than the retention. */
    public void sweep() {
        long cutoff = clock.getAsLong() - config.resultRetention().toMillis();
        int removed = 0;
        for (JobRecord r : store.jobs()) {
            if ("COMPLETED".equals(r.state()) && r.completedAtMillis() != null && r.completedAtMillis() < cutoff
                    && store.delivery(r.id()) == null) {
                store.removeJob(r.id());
                removed++;
            }
        }
        if (removed > 0) {
            store.commit();
            LOG.info("hosted API: deleted {} request(s) past the result retention of {}", removed, config.resultRetention());
        }
    }

    /**
     * Graceful stop: no new requests; waiting sync/stream requests end with 503; running requests get the grace
     * period, then queue requests still running are put back to run at the next start, the others end with 503.
     */
    @Override
    public void close() {
        if (closing) return;
        closing = true;
        for (Job j : queue.shutdown()) {
            if (j.kind() != Job.Kind.QUEUE) finish(j, stoppedOutcome(j, Job.StopReason.SHUTDOWN, 0));
        }
        long deadline = System.nanoTime() + config.gracePeriod().toNanos();
        synchronized (running) {
            while (!running.isEmpty() && System.nanoTime() < deadline) {
                try {
                    running.wait(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        if (!running.isEmpty()) {
            LOG.info("hosted API: {} request(s) still running after the grace period of {}; stopping them",
                    running.size(), config.gracePeriod());
        }
        for (Job j : running) j.requestStop(Job.StopReason.SHUTDOWN);
        for (Thread t : workers) {
            try {
                t.join(TimeUnit.SECONDS.toMillis(30));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (t.isAlive()) LOG.warn("hosted API: worker {} did not stop", t.getName());
        }
        store.commit();
    }

    private void workerLoop() {
        while (true) {
            Job job;
            try {
                job = queue.take();
            } catch (InterruptedException e) {
                return;
            }
            if (job == null) return;
            running.add(job);
            try {
                runOne(job);
            } catch (RuntimeException e) {
                errors.report("worker running request " + job.id(), e);
            } finally {
                synchronized (running) {
                    running.remove(job);
                    running.notifyAll();
                }
            }
        }
    }

    private void runOne(Job job) {
        long t0 = System.nanoTime();
        Job.StopReason early = job.stopReason();
        if (early != null) {
            finish(job, stoppedOutcome(job, early, 0));
            return;
        }
        job.markStarted(clock.getAsLong());
        job.observer().onStarted(job);
        subscribers.notifyEveryone();
        ScheduledFuture<?> timeout = scheduler.schedule(() -> job.requestStop(Job.StopReason.TIMEOUT),
                config.jobTimeout().toMillis(), TimeUnit.MILLISECONDS);
        Outcome outcome;
        try {
            outcome = runner.run(job, t0 + config.jobTimeout().toNanos());
        } catch (JobStoppedException e) {
            if (e.reason() == Job.StopReason.SHUTDOWN && job.kind() == Job.Kind.QUEUE) {
                putBackForRestart(job);
                return;
            }
            outcome = stoppedOutcome(job, e.reason(), (System.nanoTime() - t0) / 1e9);
        } finally {
            timeout.cancel(false);
        }
        metrics.duration.labelValues(mode(job)).observe((System.nanoTime() - t0) / 1e9);
        finish(job, outcome);
    }

    private void finish(Job job, Outcome outcome) {
        synchronized (job) {
            if (job.state() == Job.State.COMPLETED) return;
            job.markCompleted(outcome, clock.getAsLong());
        }
        String result = outcome.ok() ? "ok" : isStopOutcome(outcome) ? "cancelled" : "error";
        metrics.completed.labelValues(mode(job), result).inc();
        if (job.kind() == Job.Kind.QUEUE) {
            DeliveryRecord delivery = job.webhookUrl() == null ? null : webhooks.delivery(job, outcome);
            store.putJob(record(job, delivery == null ? null : "PENDING"));
            if (delivery != null) store.putDelivery(delivery);
            store.commit();
            active.remove(job.id());
            if (delivery != null) webhooks.schedule(delivery);
            subscribers.notify(job.id());
        }
        job.observer().onCompleted(job, outcome);
    }

    private void putBackForRestart(Job job) {
        job.markQueuedAgain();
        job.log("INFO", "stopped by a server shutdown; runs again at the next start");
        store.putJob(record(job, job.webhookUrl() == null ? null : "PENDING"));
        store.commit();
    }

    private static Outcome stoppedOutcome(Job job, Job.StopReason reason, double seconds) {
        Outcome o = Outcomes.stopped(reason, seconds);
        job.log("WARN", o.error());
        return o;
    }

    private static boolean isStopOutcome(Outcome o) {
        return o != null && o.status() == 499;
    }

    private JobRecord record(Job j, String webhookState) {
        TranscriptionInput in = j.input();
        synchronized (j) {
            return new JobRecord(j.id(), j.seq(), j.owner(), in.audioUrl(), in.language(), in.acceleration().apiValue(),
                    j.lowPriority() ? "low" : "normal", j.webhookUrl(), j.state().name(), j.createdAtMillis(),
                    j.startedAtMillis(), j.completedAtMillis(), j.logs(), j.outcome(), webhookState);
        }
    }

    private void checkOpen() throws ApiError {
        if (closing) {
            metrics.rejected.labelValues("shutting_down").inc();
            throw ApiError.plain(503, "runner_scheduling_failure", "the server is shutting down; retry shortly");
        }
    }

    private ApiError queueFull() {
        metrics.rejected.labelValues("queue_full").inc();
        return ApiError.plain(429, "runner_scheduling_failure", "too many requests: the queue is full ("
                + config.maxQueued() + " waiting, asr.api.max-queued); retry later");
    }


    private static String mode(Job job) {
        return job.kind().name().toLowerCase(java.util.Locale.ROOT);
    }

    private static long parseLong(String s) {
        try {
            return s == null ? 0 : Long.parseLong(s);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** Queue requests: the store follows every state change; status subscribers hear about them. */
    private final class DurableObserver implements JobObserver {
        @Override
        public void onStarted(Job job) {
            store.putJob(record(job, job.webhookUrl() == null ? null : "PENDING"));
            store.commit();
        }

        @Override
        public void onLog(Job job, LogLine line) {
            subscribers.notify(job.id());
        }

        @Override
        public void onCompleted(Job job, Outcome outcome) {
            // stored and announced by finish()
        }
    }
}
