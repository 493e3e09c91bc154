package org.streamasr.api.jobs;

import java.io.Closeable;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.streamasr.api.store.JobRecord;
import org.streamasr.api.store.LogLine;
import org.streamasr.api.store.Outcome;
import org.streamasr.engine.Acceleration;

/**
 * One request's live state while it is queued or running. Mutable fields are guarded by {@code this}; the owner of
 * a queue request's durable state is the store, this object is its in-memory twin.
 *
 * <p>Cancellation never interrupts a thread outside {@link #enterInterruptible()}/{@link #leaveInterruptible()}:
 * an interrupt closes NIO channels, and the store's file must never see one. Blocking socket reads are aborted by
 * closing the registered {@link #setAbortable abortable} instead.
 */
public final class Job {
    public enum Kind { QUEUE, SYNC, STREAM }

    public enum State { IN_QUEUE, IN_PROGRESS, COMPLETED }

    /** Why a job was stopped before it finished. */
    public enum StopReason { CANCELLED, TIMEOUT, SHUTDOWN }

    static final int MAX_LOG_LINES = 200;

    private final String id;
    private final Kind kind;
    private final TranscriptionInput input;
    private final String owner;
    private final boolean lowPriority;
    private final String webhookUrl;
    private final long seq;
    private final long createdAtMillis;
    private final JobObserver observer;
    private final EphemeralAudio ephemeral;

    private State state = State.IN_QUEUE;
    private final List<LogLine> logs = new ArrayList<>();
    private Long startedAtMillis;
    private Long completedAtMillis;
    private Outcome outcome;
    private boolean resumed;

    private final Object control = new Object();
    private StopReason stopReason;
    private Thread interruptible;
    private Closeable abortable;

    Job(String id, Kind kind, TranscriptionInput input, String owner, boolean lowPriority, String webhookUrl, long seq,
        long createdAtMillis, JobObserver observer) {
        this(id, kind, input, owner, lowPriority, webhookUrl, seq, createdAtMillis, observer, null);
    }

    Job(String id, Kind kind, TranscriptionInput input, String owner, boolean lowPriority, String webhookUrl, long seq,
        long createdAtMillis, JobObserver observer, EphemeralAudio ephemeral) {
        this.ephemeral = ephemeral;
        this.id = id;
        this.kind = kind;
        this.input = input;
        this.owner = owner;
        this.lowPriority = lowPriority;
        this.webhookUrl = webhookUrl;
        this.seq = seq;
        this.createdAtMillis = createdAtMillis;
        this.observer = observer;
    }

    /**
     * A queue request rebuilt from its stored record (after a restart, or pulled from the cluster's queue).
     *
     * @param resumed whether it was running somewhere and now runs again from the start
     */
    public static Job fromRecord(JobRecord r, JobObserver observer, boolean resumed) {
        TranscriptionInput in = new TranscriptionInput(r.audioUrl(), r.language(),
                Acceleration.valueOf(r.acceleration().toUpperCase(java.util.Locale.ROOT)));
        Job job = new Job(r.id(), Kind.QUEUE, in, r.owner(), "low".equals(r.priority()), r.webhookUrl(), r.seq(),
                r.createdAtMillis(), observer);
        job.restore(r.logs(), resumed);
        return job;
    }

    public String id() {
        return id;
    }

    public Kind kind() {
        return kind;
    }

    public TranscriptionInput input() {
        return input;
    }

    public String owner() {
        return owner;
    }

    public boolean lowPriority() {
        return lowPriority;
    }

    public String webhookUrl() {
        return webhookUrl;
    }

    public long seq() {
        return seq;
    }

    public long createdAtMillis() {
        return createdAtMillis;
    }

    /** What an outside API's request brings beyond the input (its engine, its uploaded bytes); null for fal's. */
    EphemeralAudio ephemeral() {
        return ephemeral;
    }

    JobObserver observer() {
        return observer;
    }

    public synchronized State state() {
        return state;
    }

    public synchronized List<LogLine> logs() {
        return List.copyOf(logs);
    }

    public synchronized Long startedAtMillis() {
        return startedAtMillis;
    }

    public synchronized Long completedAtMillis() {
        return completedAtMillis;
    }

    public synchronized Outcome outcome() {
        return outcome;
    }

    /** Whether this queue request was interrupted by a shutdown and runs again. */
    synchronized boolean resumed() {
        return resumed;
    }

    synchronized void restore(List<LogLine> earlier, boolean wasRunning) {
        logs.addAll(earlier);
        resumed = wasRunning;
    }

    /** Adds a log line (bounded: the oldest progress lines go first) and tells the observer. */
    public void log(String level, String message) {
        LogLine line = new LogLine(Instant.now().toString(), level, "USER", message);
        synchronized (this) {
            if (logs.size() >= MAX_LOG_LINES) logs.remove(1);
            logs.add(line);
        }
        observer.onLog(this, line);
    }

    synchronized void markStarted(long nowMillis) {
        state = State.IN_PROGRESS;
        startedAtMillis = nowMillis;
    }

    synchronized void markQueuedAgain() {
        state = State.IN_QUEUE;
        startedAtMillis = null;
    }

    synchronized void markCompleted(Outcome o, long nowMillis) {
        state = State.COMPLETED;
        outcome = o;
        completedAtMillis = nowMillis;
    }

    /** The reason a stop was requested, or null. */
    public StopReason stopReason() {
        synchronized (control) {
            return stopReason;
        }
    }

    /**
     * Asks the job to stop: a running one is interrupted if it is in an interruptible phase, and its open connection
     * (if any) is closed. The first reason wins. Returns false when a stop was already requested.
     */
    boolean requestStop(StopReason reason) {
        Closeable toClose;
        synchronized (control) {
            if (stopReason != null) return false;
            stopReason = reason;
            if (interruptible != null) interruptible.interrupt();
            toClose = abortable;
        }
        if (toClose != null) {
            try {
                toClose.close();
            } catch (IOException ignored) {
                // closing only aborts a read
            }
        }
        return true;
    }

    /** Marks the calling thread as safe to interrupt for a stop; throws at once if a stop was already requested. */
    void enterInterruptible() throws JobStoppedException {
        synchronized (control) {
            if (stopReason != null) throw new JobStoppedException(stopReason);
            interruptible = Thread.currentThread();
        }
    }

    /** Ends the interruptible phase and clears any interrupt it received. */
    void leaveInterruptible() {
        synchronized (control) {
            interruptible = null;
            Thread.interrupted();
        }
    }

    /** Registers the connection a cancel should close (null when none is open). */
    public void setAbortable(Closeable c) {
        boolean closeNow;
        synchronized (control) {
            abortable = c;
            closeNow = c != null && stopReason != null;
        }
        if (closeNow) {
            try {
                c.close();
            } catch (IOException ignored) {
                // closing only aborts a read
            }
        }
    }
}
