package org.streamasr.stream;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;

/**
 * Runs one call's tasks one at a time, in the order offered, on a shared pool (a mailbox: many calls, few threads,
 * no thread per call). Bounded: a full lane refuses the task and the caller applies its policy. Droppable tasks are
 * refused earlier, once the lane is half full, so that room stays for the tasks that must not be lost.
 *
 * <p>A task that throws is handed to the error handler; the lane keeps going.
 */
public final class SerialLane {
    private final Executor pool;
    private final int capacity;
    private final BiConsumer<Runnable, Throwable> onError;
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final AtomicInteger size = new AtomicInteger();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final Runnable drain = this::drain;

    public SerialLane(Executor pool, int capacity, BiConsumer<Runnable, Throwable> onError) {
        if (capacity < 2) throw new IllegalArgumentException("capacity must be >= 2");
        this.pool = pool;
        this.capacity = capacity;
        this.onError = onError;
    }

    /**
     * Queues {@code task}. Returns false (and queues nothing) when the lane is full, or half full for a
     * {@code droppable} task.
     */
    public boolean offer(Runnable task, boolean droppable) {
        int limit = droppable ? capacity / 2 : capacity;
        while (true) {
            int n = size.get();
            if (n >= limit) return false;
            if (size.compareAndSet(n, n + 1)) break;
        }
        tasks.add(task);
        schedule();
        return true;
    }

    /**
     * Queues {@code task} whatever the lane holds. Only for the few tasks that end a call (its last finals, the
     * end notice), which are bounded by the call's participants, not by the audio.
     */
    public void append(Runnable task) {
        size.incrementAndGet();
        tasks.add(task);
        schedule();
    }

    public int size() {
        return size.get();
    }

    private void schedule() {
        if (scheduled.compareAndSet(false, true)) {
            try {
                pool.execute(drain);
            } catch (RejectedExecutionException e) {
                // The pool is shut down: run here (still marked scheduled, so nobody runs beside us) so that queued
                // work, such as a call's last finals, is not lost.
                drain();
            }
        }
    }

    private void drain() {
        // A bounded batch per turn keeps one busy call from holding a pool thread while others wait.
        for (int i = 0; i < 64; i++) {
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
