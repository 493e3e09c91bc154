package org.streamasr.runtime;

import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;

/**
 * Stopping a pool or timer one way everywhere: ask it to stop, wait at most a bound, say once (a warning on the
 * owner's logger) what did not stop. Three endings, by what the queued work is worth:
 * {@link #stop} lets queued work run and interrupts what still runs at the bound; {@link #stopNow} drops what is
 * queued at once (a timer's pending ticks mean nothing after close); {@link #drain} lets queued work run and never
 * interrupts it (a writer, a native decoder, listeners), leaving it running past the bound. An interrupt that cuts
 * the wait short stays set on the calling thread.
 */
public final class ExecutorShutdown {
    private ExecutorShutdown() {
    }

    /**
     * Shuts {@code pool} down, waits up to {@code bound}, then interrupts what still runs and drops what is queued
     * (without waiting again). Returns whether it stopped within the bound.
     */
    public static boolean stop(ExecutorService pool, Duration bound, String name, Logger log) {
        pool.shutdown();
        if (awaited(pool, bound)) return true;
        int dropped = pool.shutdownNow().size();
        log.warn("{} did not stop {}; interrupted its threads{}", name, waited(bound),
                dropped > 0 ? ", " + dropped + " queued task(s) dropped" : "");
        return false;
    }

    /**
     * Interrupts what runs and drops what is queued at once, then waits up to {@code bound}. Returns whether it
     * stopped.
     */
    public static boolean stopNow(ExecutorService pool, Duration bound, String name, Logger log) {
        pool.shutdownNow();
        if (awaited(pool, bound)) return true;
        log.warn("{} did not stop {} after its threads were interrupted", name, waited(bound));
        return false;
    }

    /**
     * Shuts {@code pool} down and waits up to {@code bound} for its queued work, never interrupting it: what is still
     * running at the bound is left to finish on its own. Returns whether it stopped.
     */
    public static boolean drain(ExecutorService pool, Duration bound, String name, Logger log) {
        pool.shutdown();
        if (awaited(pool, bound)) return true;
        log.warn("{} did not stop {}; left running", name, waited(bound));
        return false;
    }

    /** Whether {@code pool} terminated within {@code bound}; if the wait was interrupted, keeps the interrupt. */
    private static boolean awaited(ExecutorService pool, Duration bound) {
        try {
            return pool.awaitTermination(bound.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return pool.isTerminated();
        }
    }

    /** "within 5 s", or why the wait ended sooner. */
    private static String waited(Duration bound) {
        if (Thread.currentThread().isInterrupted()) return "before the wait for it was interrupted";
        long ms = bound.toMillis();
        return "within " + (ms % 1000 == 0 ? ms / 1000 + " s" : ms + " ms");
    }
}
