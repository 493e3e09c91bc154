package org.streamasr.media.sip;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;

/**
 * Runs one call's tasks one at a time, in submission order, on a shared pool: the call's state needs no lock and no
 * call owns a thread. Bounded: a peer flooding one call past {@code capacity} pending tasks has the excess refused.
 */
final class SerialTaskQueue {
    private final Executor pool;
    private final int capacity;
    private final Consumer<Throwable> onError;
    private final ArrayDeque<Runnable> pending = new ArrayDeque<>();
    private boolean running;

    SerialTaskQueue(Executor pool, int capacity, Consumer<Throwable> onError) {
        this.pool = pool;
        this.capacity = capacity;
        this.onError = onError;
    }

    /** Queues a task; false when the queue is full or the pool refused it (shut down). */
    boolean submit(Runnable task) {
        synchronized (this) {
            if (pending.size() >= capacity) return false;
            pending.add(task);
            if (running) return true;
            running = true;
        }
        try {
            pool.execute(this::drain);
            return true;
        } catch (RejectedExecutionException e) {
            synchronized (this) {
                pending.clear();
                running = false;
            }
            return false;
        }
    }

    private void drain() {
        while (true) {
            Runnable next;
            synchronized (this) {
                next = pending.poll();
                if (next == null) {
                    running = false;
                    return;
                }
            }
            try {
                next.run();
            } catch (RuntimeException | Error e) {
                onError.accept(e);
            }
        }
    }
}
