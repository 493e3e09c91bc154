package org.streamasr.runtime;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;

/**
 * Runs one owner's tasks (a call's events, a SIP dialog's steps, a media stream's worker runs) one at a time, in the
 * order offered, on a shared pool: a mailbox, so the owner's state needs no lock and no owner has a thread of its own.
 * Bounded: a full executor refuses the task and the caller applies its policy. Droppable tasks are refused earlier,
 * once it is half full, so that room stays for the tasks that must not be lost. At most {@code maxPerTurn} tasks run
 * per turn on a pool thread before the owner goes to the back of the pool's queue, so one busy owner cannot hold a
 * thread while others wait.
 *
 * <p>A task that throws is handed to the error handler; the executor keeps going.
 */
public final class SerialExecutor {
    /** What happens when the pool refuses to run the executor (it is shut down). */
    public enum WhenPoolRefuses {
        /** Run the queued tasks on the caller's thread, so that work such as a call's last finals is not lost. */
        RUN_HERE,
        /** Drop what is queued and refuse the task ({@link #offer} returns false). */
        REFUSE
    }

    private final Executor pool;
    private final int capacity;
    private final int maxPerTurn;
    private final WhenPoolRefuses whenRefused;
    private final BiConsumer<Runnable, Throwable> onError;
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final AtomicInteger size = new AtomicInteger();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final Runnable drain = this::drain;

    public SerialExecutor(Executor pool, int capacity, int maxPerTurn, WhenPoolRefuses whenRefused,
            BiConsumer<Runnable, Throwable> onError) {
        if (capacity < 2) throw new IllegalArgumentException("capacity must be >= 2");
        if (maxPerTurn < 1) throw new IllegalArgumentException("maxPerTurn must be >= 1");
        this.pool = pool;
        this.capacity = capacity;
        this.maxPerTurn = maxPerTurn;
        this.whenRefused = whenRefused;
        this.onError = onError;
    }

    /** Queues a task that must not be dropped while there is room; false when full (or the pool refused it). */
    public boolean offer(Runnable task) {
        return offer(task, false);
    }

    /**
     * Queues {@code task}. Returns false (and queues nothing) when the executor is full, or half full for a
     * {@code droppable} task, or when the pool refused it under {@link WhenPoolRefuses#REFUSE}.
     */
    public boolean offer(Runnable task, boolean droppable) {
        int limit = droppable ? capacity / 2 : capacity;
        while (true) {
            int n = size.get();
            if (n >= limit) return false;
            if (size.compareAndSet(n, n + 1)) break;
        }
        tasks.add(task);
        return schedule();
    }

    /**
     * Queues {@code task} whatever the executor holds. Only for the few tasks that end an owner (a call's last
     * finals, its end notice), which are bounded by something other than the input.
     */
    public void append(Runnable task) {
        size.incrementAndGet();
        tasks.add(task);
        schedule();
    }

    public int size() {
        return size.get();
    }

    private boolean schedule() {
        if (!scheduled.compareAndSet(false, true)) return true;
        try {
            pool.execute(drain);
            return true;
        } catch (RejectedExecutionException e) {
            if (whenRefused == WhenPoolRefuses.RUN_HERE) {
                // still marked scheduled, so nobody runs beside us
                drain();
                return true;
            }
            tasks.clear();
            size.set(0);
            scheduled.set(false);
            return false;
        }
    }

    private void drain() {
        for (int i = 0; i < maxPerTurn; i++) {
            Runnable task = tasks.poll();
            if (task == null) break;
            size.decrementAndGet();
            try {
                task.run();
            } catch (Throwable t) {
                onError.accept(task, t);
            }
        }
        scheduled.set(false);
        if (!tasks.isEmpty()) schedule();
    }
}
