package org.streamasr.api.jobs;

import java.time.Duration;
import java.util.List;
import org.streamasr.api.ApiError;
import org.streamasr.api.store.DeliveryRecord;
import org.streamasr.api.store.LogLine;
import org.streamasr.api.store.Outcome;

/**
 * Where queue requests are kept and how workers get their next job: {@link EmbeddedJobBackend} (an H2 file and an
 * in-memory queue, one node) or the cluster's JetStream backend (a work-queue stream and a key-value bucket shared by
 * every node). Sync and streaming requests live only as long as their HTTP exchange, so they always wait in a local
 * queue of the node that received them.
 *
 * <p>A backend may throw {@link org.streamasr.api.store.StoreUnavailableException} from any call a client's request
 * makes (answered 503) while its store cannot be reached.
 */
public interface JobBackend extends AutoCloseable {

    /** What a backend may ask of the job service. */
    interface Hooks {
        /** The observer every queue request gets (it reports starts and log lines back to the backend). */
        JobObserver durableObserver();

        /** Stops a job of this node (waiting: completed at once; running: asked to stop). */
        void stop(Job job, Job.StopReason reason);

        /** Stops the job {@code id} if it runs on this node (a cancel that arrived on another node). */
        void stopRunning(String id, Job.StopReason reason);

        /** The webhook delivery of a completed request, or null without webhook. */
        DeliveryRecord delivery(String requestId, String webhookUrl, Outcome outcome);

        /** Sends a stored delivery. */
        void schedule(DeliveryRecord delivery);

        /** The status of {@code id} may have changed (null: every request's may have, queue positions moved). */
        void changed(String id);
    }

    /** Recovers what an earlier run left and gets ready to hand out work; called once, before the workers start. */
    void start(Hooks hooks);

    /**
     * Stores a new queue request and queues it; returns once it is durable (acknowledged only then).
     *
     * @param acceptedAtNanos when the request was accepted ({@link System#nanoTime()}, before it waited for a thread
     *                        to submit it): the {@link #submitTimeout()} counts from there
     * @throws ApiError 429 when the queue is full, 503 ({@link JobService#SUBMIT_TIMEOUT}) past the submit timeout
     */
    void submit(Job job, long acceptedAtNanos) throws ApiError;

    /**
     * How long a submission may take from its acceptance, its wait for a thread included, before it is refused
     * (503, nothing stored); null: no bound (a local store answers at once).
     */
    default Duration submitTimeout() {
        return null;
    }

    /**
     * The queue position to answer a submission with, promptly (the embedded backend knows it; a shared store may
     * answer from what it last saw rather than wait on the store).
     */
    default int positionOfSubmitted(Job job) {
        JobService.JobStatus st = status(job.id(), job.owner());
        return st == null ? 0 : Math.max(0, st.queuePosition());
    }

    /** Queues a sync or streaming request on this node; false when the queue is full or shut down. */
    boolean offerEphemeral(Job job);

    /** The next job for a worker, waiting for one; null once {@link #stopTaking()} was called. */
    Job take() throws InterruptedException;

    /** Removes a job still waiting on this node; false when it is not waiting here. */
    boolean removeWaiting(Job job);

    /** The status of a queue request this owner may see, or null. */
    JobService.JobStatus status(String id, String owner);

    /** fal's cancel of a queue request. */
    JobService.CancelResult cancel(String id, String owner);

    /** A worker of this node started {@code job}. */
    void started(Job job);

    /** {@code job} logged a line. */
    void logged(Job job, LogLine line);

    /**
     * Records the outcome of a queue request (already marked completed) with its webhook delivery. Returns false when
     * the request had been completed already (another node ran it too, or it was cancelled meanwhile): then this
     * outcome is dropped and the delivery must not be sent.
     */
    boolean completed(Job job, DeliveryRecord delivery);

    /** A shutdown stopped a running queue request: it runs again from the start (on another node, or at the next start). */
    void handBack(Job job);

    /** Stops handing out work and returns the jobs still waiting on this node. */
    List<Job> stopTaking();

    /** Requests waiting (for the queue-depth gauge: this node's queue, or the cluster's). */
    int queued();

    /** Deletes what is past its retention. */
    void sweep();

    /** Whether this backend shares its queue with other nodes. */
    default boolean shared() {
        return false;
    }

    @Override
    void close();
}
