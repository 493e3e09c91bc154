package org.streamasr.api.jobs;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.streamasr.api.ApiError;
import org.streamasr.api.store.ApiStore;
import org.streamasr.api.store.DeliveryRecord;
import org.streamasr.api.store.JobRecord;
import org.streamasr.api.store.LogLine;

/**
 * One node's queue: requests in the embedded H2 {@link ApiStore} (written when accepted, started and completed;
 * recovered at start-up, with their webhook delivery in the same commit as their result) and a bounded in-memory
 * {@link JobQueue} shared with sync and streaming requests. A request's live state (logs) is kept in memory while it
 * is queued or running.
 */
public final class EmbeddedJobBackend implements JobBackend {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedJobBackend.class);
    private static final String SEQ_KEY = "job-seq";

    private final ApiStore store;
    private final JobQueue queue;
    private final int maxQueued;
    private final LongSupplier clock;
    private final long retentionMillis;
    private final Map<String, Job> active = new ConcurrentHashMap<>();
    private Hooks hooks;

    public EmbeddedJobBackend(ApiStore store, int maxQueued, long retentionMillis, LongSupplier clock) {
        this.store = store;
        this.queue = new JobQueue(maxQueued);
        this.maxQueued = maxQueued;
        this.retentionMillis = retentionMillis;
        this.clock = clock;
    }

    /** The last submission number an earlier run used (new ones continue after it). */
    long lastSeq() {
        long max = parseLong(store.meta(SEQ_KEY));
        for (JobRecord r : store.jobs()) max = Math.max(max, r.seq());
        return max;
    }

    /** Re-queues the requests a previous run accepted but did not finish; those that were running come first. */
    @Override
    public void start(Hooks h) {
        this.hooks = h;
        List<JobRecord> unfinished = new ArrayList<>();
        for (JobRecord r : store.jobs()) {
            if (!"COMPLETED".equals(r.state())) unfinished.add(r);
        }
        unfinished.sort(Comparator.comparing((JobRecord r) -> "IN_PROGRESS".equals(r.state()) ? 0 : 1)
                .thenComparing(r -> "low".equals(r.priority()) ? 1 : 0).thenComparingLong(JobRecord::seq));
        for (JobRecord r : unfinished) {
            boolean wasRunning = "IN_PROGRESS".equals(r.state());
            Job job = Job.fromRecord(r, h.durableObserver(), wasRunning);
            if (wasRunning) {
                job.log("INFO", "the server restarted while this request was running; it runs again from the start");
                store.putJob(JobRecords.of(job, r.webhookState()));
            }
            active.put(job.id(), job);
            queue.addRecovered(job);
        }
        store.commit();
        if (!unfinished.isEmpty()) LOG.info("hosted API: resuming {} queued request(s) from the store", unfinished.size());
    }

    @Override
    public void submit(Job job, long acceptedAtNanos) throws ApiError {
        synchronized (queue) {
            active.put(job.id(), job);
            store.putJob(JobRecords.of(job, job.webhookUrl() == null ? null : "PENDING"));
            store.putMeta(SEQ_KEY, Long.toString(job.seq()));
            if (!queue.offer(job)) {
                active.remove(job.id());
                store.removeJob(job.id());
                store.commit();
                throw JobService.queueFullError(maxQueued);
            }
            store.commit();
        }
    }

    @Override
    public boolean offerEphemeral(Job job) {
        return queue.offer(job);
    }

    @Override
    public Job take() throws InterruptedException {
        return queue.take();
    }

    @Override
    public boolean removeWaiting(Job job) {
        return queue.remove(job);
    }

    @Override
    public JobService.JobStatus status(String id, String owner) {
        Job job = active.get(id);
        if (job != null) {
            if (!Objects.equals(job.owner(), owner)) return null;
            synchronized (job) {
                Job.State s = job.state();
                if (s != Job.State.COMPLETED) {
                    int pos = s == Job.State.IN_QUEUE ? Math.max(0, queue.position(job)) : -1;
                    return new JobService.JobStatus(id, s, pos, job.logs(), null, job.webhookUrl() == null ? null : "PENDING");
                }
            }
        }
        JobRecord r = store.job(id);
        if (r == null || !Objects.equals(r.owner(), owner)) return null;
        return new JobService.JobStatus(id, Job.State.valueOf(r.state()), "IN_QUEUE".equals(r.state()) ? 0 : -1,
                r.logs(), r.outcome(), r.webhookState());
    }

    @Override
    public JobService.CancelResult cancel(String id, String owner) {
        Job job = active.get(id);
        if (job == null || !Objects.equals(job.owner(), owner)) {
            JobRecord r = store.job(id);
            if (r == null || !Objects.equals(r.owner(), owner)) return JobService.CancelResult.NOT_FOUND;
            return JobService.CancelResult.ALREADY_COMPLETED;
        }
        if (job.state() == Job.State.COMPLETED) return JobService.CancelResult.ALREADY_COMPLETED;
        hooks.stop(job, Job.StopReason.CANCELLED);
        return job.state() == Job.State.COMPLETED && !JobService.isStopOutcome(job.outcome())
                ? JobService.CancelResult.ALREADY_COMPLETED : JobService.CancelResult.CANCELLATION_REQUESTED;
    }

    @Override
    public void started(Job job) {
        store.putJob(JobRecords.of(job, job.webhookUrl() == null ? null : "PENDING"));
        store.commit();
    }

    @Override
    public void logged(Job job, LogLine line) {
        // kept in memory while the job lives; stored with its next state change
    }

    @Override
    public boolean completed(Job job, DeliveryRecord delivery) {
        store.putJob(JobRecords.of(job, delivery == null ? null : "PENDING"));
        if (delivery != null) store.putDelivery(delivery);
        store.commit();
        active.remove(job.id());
        return true;
    }

    /** Kept in the store as queued: it runs again from the start at the next start-up. */
    @Override
    public void handBack(Job job) {
        job.markQueuedAgain();
        job.log("INFO", "stopped by a server shutdown; runs again at the next start");
        store.putJob(JobRecords.of(job, job.webhookUrl() == null ? null : "PENDING"));
        store.commit();
    }

    @Override
    public List<Job> stopTaking() {
        List<Job> left = queue.shutdown();
        left.removeIf(j -> j.kind() == Job.Kind.QUEUE);   // stay in the store for the next start
        return left;
    }

    @Override
    public int queued() {
        return queue.size();
    }

    /** Deletes completed requests older than the retention whose webhook is no longer pending. */
    @Override
    public void sweep() {
        long cutoff = clock.getAsLong() - retentionMillis;
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
            LOG.info("hosted API: deleted {} request(s) past the result retention", removed);
        }
    }

    @Override
    public void close() {
        store.commit();
    }

    private static long parseLong(String s) {
        try {
            return s == null ? 0 : Long.parseLong(s);
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
