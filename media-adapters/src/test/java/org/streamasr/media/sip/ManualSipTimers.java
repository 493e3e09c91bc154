package org.streamasr.media.sip;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Call timers on a clock the test moves: {@link #advance} runs what falls due, in order, on the test's thread. */
final class ManualSipTimers implements SipTimers {
    private final List<Entry> pending = new ArrayList<>();
    private long now;
    private long sequence;

    private static final class Entry implements Scheduled {
        final long due;
        final long order;
        final Runnable task;
        volatile boolean cancelled;

        Entry(long due, long order, Runnable task) {
            this.due = due;
            this.order = order;
            this.task = task;
        }

        @Override
        public void cancel() {
            cancelled = true;
        }
    }

    @Override
    public synchronized Scheduled schedule(Runnable task, Duration delay) {
        Entry e = new Entry(now + delay.toNanos(), sequence++, task);
        pending.add(e);
        return e;
    }

    /** Moves the clock on by {@code by}, running every task that falls due on the way. */
    void advance(Duration by) {
        long target;
        synchronized (this) {
            target = now + by.toNanos();
        }
        while (true) {
            Entry next;
            synchronized (this) {
                pending.removeIf(e -> e.cancelled);
                next = pending.stream().filter(e -> e.due <= target)
                        .min(Comparator.<Entry>comparingLong(e -> e.due).thenComparingLong(e -> e.order)).orElse(null);
                if (next == null) {
                    now = target;
                    return;
                }
                pending.remove(next);
                now = next.due;
            }
            next.task.run();
        }
    }

    /** Whether a task (not cancelled) is due {@code at} from the start of the clock. */
    synchronized boolean hasTaskDueAt(Duration at) {
        return pending.stream().anyMatch(e -> !e.cancelled && e.due == at.toNanos());
    }

    @Override
    public synchronized void close() {
        pending.clear();
    }
}
