package org.streamasr.media.pipeline;

import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.streamasr.runtime.ExecutorShutdown;
import org.streamasr.runtime.NamedThreads;

/**
 * The fixed threads of the media side of a server: a CPU pool sized to the cores for decoding and resampling
 * ({@code media-cpu-N}) and one timer thread ({@code media-timer}) for jitter-buffer deadlines and inactivity checks.
 * Network threads only parse and enqueue; streams run their work on the pool one task at a time
 * ({@link SerialWorker}). Never a thread per call. One instance per server; closing it stops the threads.
 */
public final class MediaExecutors implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MediaExecutors.class);

    private final ExecutorService cpu;
    private final ScheduledExecutorService timer;
    private final int threads;

    private MediaExecutors(int threads) {
        this.threads = threads;
        this.cpu = Executors.newFixedThreadPool(threads, NamedThreads.factory("media-cpu", true));
        this.timer = Executors.newSingleThreadScheduledExecutor(NamedThreads.single("media-timer", true));
    }

    /** A pool with one thread per available core. */
    public static MediaExecutors create() {
        return create(Runtime.getRuntime().availableProcessors());
    }

    public static MediaExecutors create(int cpuThreads) {
        if (cpuThreads < 1) throw new IllegalArgumentException("cpu threads must be >= 1");
        return new MediaExecutors(cpuThreads);
    }

    public ExecutorService cpu() {
        return cpu;
    }

    public ScheduledExecutorService timer() {
        return timer;
    }

    /** The timer thread as a {@link MediaTimer} (after shutdown, scheduling does nothing). */
    public MediaTimer mediaTimer() {
        return (task, delayNanos) -> {
            try {
                var f = timer.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
                return () -> f.cancel(false);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                return () -> { };
            }
        };
    }

    public int cpuThreads() {
        return threads;
    }

    @Override
    public void close() {
        ExecutorShutdown.stopNow(timer, Duration.ofSeconds(5), "media-timer", LOG);
        ExecutorShutdown.stop(cpu, Duration.ofSeconds(5), "media-cpu pool", LOG);
    }
}
