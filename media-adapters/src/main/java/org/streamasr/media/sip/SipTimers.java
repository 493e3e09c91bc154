package org.streamasr.media.sip;

import java.time.Duration;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import org.streamasr.runtime.NamedThreads;
import java.util.concurrent.TimeUnit;

/**
 * Where the gateway's call timers run (session-timer expiry and refresh, maximum call duration): one scheduler
 * thread in production, a hand-advanced clock in tests. A task only hands work on to its call's queue.
 */
interface SipTimers extends AutoCloseable {

    /** A scheduled task; cancelling one that already ran does nothing. */
    interface Scheduled {
        void cancel();
    }

    Scheduled schedule(Runnable task, Duration delay);

    /** Cancels everything pending. */
    @Override
    void close();

    /** One daemon thread named {@code name}. */
    static SipTimers onThread(String name) {
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, NamedThreads.single(name, true));
        executor.setRemoveOnCancelPolicy(true);
        return new SipTimers() {
            @Override
            public Scheduled schedule(Runnable task, Duration delay) {
                var future = executor.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
                return () -> future.cancel(false);
            }

            @Override
            public void close() {
                executor.shutdownNow();
            }
        };
    }
}
