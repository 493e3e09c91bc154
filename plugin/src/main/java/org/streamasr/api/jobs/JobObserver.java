package org.streamasr.api.jobs;

import org.streamasr.api.store.LogLine;
import org.streamasr.api.store.Outcome;

/**
 * Receives a job's events: from worker and engine threads, so implementations must not block (hand writes to a
 * client over to another thread).
 */
public interface JobObserver {

    /** A worker took the job. */
    default void onStarted(Job job) {
    }

    default void onLog(Job job, LogLine line) {
    }

    /** The transcript so far changed ({@code output} is the whole text, finals and the open partial). */
    default void onPartial(Job job, String output) {
    }

    /** The job ended; called once. */
    void onCompleted(Job job, Outcome outcome);
}
