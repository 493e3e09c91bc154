package org.streamasr.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;
import org.streamasr.media.pipeline.MediaTimer;

/** An injected nanosecond clock with a timer that fires when the test advances it. Thread-safe. */
public final class ManualClock implements LongSupplier, MediaTimer {
    private long now = 1_000_000_000L;
    private final List<Task> tasks = new ArrayList<>();

    private static final class Task {
        final long due;
        final Runnable r;
        boolean cancelled;

        Task(long due, Runnable r) {
            this.due = due;
            this.r = r;
        }
    }

    @Override
    public synchronized long getAsLong() {
        return now;
    }

    public void advanceMillis(long ms) {
        advanceNanos(ms * 1_000_000L);
    }

    /** Moves time forward and runs the timer tasks that fall due, in order, on the calling thread. */
    public void advanceNanos(long ns) {
        long target;
        synchronized (this) {
            target = now + ns;
        }
        while (true) {
            Task next = null;
            synchronized (this) {
                for (Task t : tasks) {
                    if (!t.cancelled && t.due - target <= 0 && (next == null || t.due < next.due)) next = t;
                }
                if (next == null) {
                    now = target;
                    return;
                }
                tasks.remove(next);
                now = Math.max(now, next.due);
            }
            next.r.run();
        }
    }

    @Override
    public synchronized Runnable schedule(Runnable task, long delayNanos) {
        Task t = new Task(now + delayNanos, task);
        tasks.add(t);
        return () -> {
            synchronized (ManualClock.this) {
                t.cancelled = true;
                tasks.remove(t);
            }
        };
    }

    public synchronized int pendingTasks() {
        return tasks.size();
    }
}
