package org.streamasr.media.pipeline;

/**
 * Schedules a task after a delay on the media clock. The server's is {@link MediaExecutors#mediaTimer()}; tests pass
 * a manual one driven by an injected clock.
 */
@FunctionalInterface
public interface MediaTimer {

    /** Runs {@code task} after {@code delayNanos}; returns an action that cancels it. Never blocks. */
    Runnable schedule(Runnable task, long delayNanos);
}
