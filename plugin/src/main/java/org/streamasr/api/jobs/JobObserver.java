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

    /**
     * The audio is decoded ({@code samples} at 16 kHz); {@code audioFile} is the fetched or uploaded file, readable
     * during the call (on the worker thread: reading it there is fine).
     */
    default void onAudioDecoded(Job job, java.nio.file.Path audioFile, long samples) {
    }

    /** A final utterance, with its tokens and times (for APIs that report words and segments). */
    default void onUtterance(Job job, org.streamasr.engine.Utterance utterance) {
    }

    /** The job ended; called once. */
    void onCompleted(Job job, Outcome outcome);
}
