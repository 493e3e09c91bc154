package org.streamasr.engine.batch;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.ToIntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.streamasr.engine.BatchListener;
import org.streamasr.runtime.NamedThreads;

/**
 * Collects ready items (streams with a full chunk) by key (model and chunk size), and hands batches of them to a
 * fixed pool of named worker threads: a batch leaves when it reaches its key's limit ({@code maxBatch}, or less for a
 * key that asks for it), when its oldest item has waited {@code maxWait}, or at once when no other item of its key is
 * expected ready within that wait (items tell when they expect to be ready: {@link #expect}); and only when a worker
 * is free, so batches grow while the workers are busy (the rule itself: {@link BatchQueues}). The lock guards the
 * queues only; batches run outside it. Keys are served oldest-first.
 *
 * <p>An item must not be submitted again before its batch has run: the caller owns that (one chunk of a stream at a
 * time, since the next chunk needs the caches this one produces).
 */
public final class BatchScheduler<K, T> implements AutoCloseable {

    /** Runs one batch on worker {@code worker} (0-based, stable per thread: index per-worker workspaces with it). */
    @FunctionalInterface
    public interface Runner<K, T> {
        void run(K key, List<T> batch, int worker);
    }

    private static final Logger log = LoggerFactory.getLogger(BatchScheduler.class);

    private record Job<K, T>(K key, List<T> items) {
    }

    private final int maxBatch;
    private final Runner<K, T> runner;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final BatchQueues<K, T> queues;
    private final BlockingQueue<Job<K, T>> jobs;
    private final List<Thread> threads = new ArrayList<>();
    private final AtomicLong batches = new AtomicLong();
    private final AtomicLong items = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private final AtomicLong queuedNanos = new AtomicLong();
    private final List<BatchListener> listeners = new CopyOnWriteArrayList<>();
    private int idleWorkers;
    private boolean closed;

    public BatchScheduler(String name, int workers, int maxBatch, Duration maxWait, Runner<K, T> runner) {
        this(name, workers, maxBatch, maxWait, key -> maxBatch, runner);
    }

    /**
     * @param limit the largest batch of a key, at most {@code maxBatch} (a model whose results depend on batch-mates
     *              asks for 1)
     */
    public BatchScheduler(String name, int workers, int maxBatch, Duration maxWait, ToIntFunction<K> limit,
                          Runner<K, T> runner) {
        if (workers < 1) throw new IllegalArgumentException("inference-workers must be at least 1, got " + workers);
        if (maxBatch < 1) throw new IllegalArgumentException("max-batch must be at least 1, got " + maxBatch);
        if (maxWait.isNegative()) throw new IllegalArgumentException("max-batch-wait must not be negative");
        this.maxBatch = maxBatch;
        this.queues = new BatchQueues<>(key -> Math.min(maxBatch, limit.applyAsInt(key)), maxWait.toNanos());
        this.runner = runner;
        this.jobs = new ArrayBlockingQueue<>(2 * workers + 1);
        this.idleWorkers = workers;
        for (int i = 0; i < workers; i++) {
            int index = i;
            threads.add(NamedThreads.thread(() -> work(index), name + "-infer-" + i, true));
        }
        threads.add(NamedThreads.thread(this::schedule, name + "-scheduler", true));
        threads.forEach(Thread::start);
    }

    /** Queues a ready item; returns false (and drops nothing) once the scheduler is closed. */
    public boolean submit(K key, T item) {
        lock.lock();
        try {
            if (closed) return false;
            queues.add(key, item, System.nanoTime());
            changed.signal();
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Item {@code item}, not queued now, expects to be ready for a batch of {@code key} at {@code atNanos}
     * ({@link System#nanoTime()}): queued items of that key wait for it if that is within their wait. Replaces the
     * item's earlier expectation; {@link #submit} ends it.
     */
    public void expect(K key, T item, long atNanos) {
        lock.lock();
        try {
            if (closed) return;
            queues.expect(key, item, atNanos);
            changed.signal();
        } finally {
            lock.unlock();
        }
    }

    /** The item will not be ready again (it closed): nobody waits for it. */
    public void forget(T item) {
        lock.lock();
        try {
            queues.forget(item);
            changed.signal();
        } finally {
            lock.unlock();
        }
    }

    /** Told the size and run time of every batch, after it ran (or failed), on the worker that ran it. */
    public void addListener(BatchListener listener) {
        listeners.add(listener);
    }

    public void removeListener(BatchListener listener) {
        listeners.remove(listener);
    }

    public int maxBatch() {
        return maxBatch;
    }

    public long batchesRun() {
        return batches.get();
    }

    public long itemsRun() {
        return items.get();
    }

    /** Batches whose runner threw (the runner is expected to handle its own errors; this counts escapes). */
    public long failures() {
        return failures.get();
    }

    /** Time items spent queued before their batch left, summed (divide by {@link #itemsRun()}). */
    public long waitedNanos() {
        return queuedNanos.get();
    }

    /** Items waiting for a worker. */
    public int queued() {
        lock.lock();
        try {
            return queues.size();
        } finally {
            lock.unlock();
        }
    }

    private void schedule() {
        lock.lock();
        try {
            while (!closed) {
                long waitNanos = Long.MAX_VALUE;
                if (idleWorkers > 0) {
                    long now = System.nanoTime();
                    BatchQueues.Batch<K, T> batch = queues.takeDue(now);
                    if (batch != null) {
                        queuedNanos.addAndGet(batch.waitedNanos());
                        idleWorkers--;
                        jobs.add(new Job<>(batch.key(), batch.items()));
                        continue;
                    }
                    waitNanos = queues.nanosUntilDue(now);
                }
                if (waitNanos == Long.MAX_VALUE) {
                    changed.awaitUninterruptibly();
                } else {
                    changed.awaitNanos(Math.max(waitNanos, 1));
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            lock.unlock();
        }
    }

    private void work(int index) {
        while (true) {
            Job<K, T> job;
            try {
                job = jobs.take();
            } catch (InterruptedException e) {
                return;
            }
            if (job.items() == null) return;
            long t0 = System.nanoTime();
            try {
                runner.run(job.key(), job.items(), index);
                batches.incrementAndGet();
                items.addAndGet(job.items().size());
            } catch (RuntimeException | Error e) {
                failures.incrementAndGet();
                log.error("batch of {} for {} failed", job.items().size(), job.key(), e);
            } finally {
                tell(job.items().size(), System.nanoTime() - t0);
                lock.lock();
                try {
                    idleWorkers++;
                    changed.signal();
                } finally {
                    lock.unlock();
                }
            }
        }
    }

    private void tell(int size, long nanos) {
        for (BatchListener l : listeners) {
            try {
                l.batchRun(size, nanos);
            } catch (RuntimeException e) {
                log.warn("batch listener {} threw", l.getClass().getName(), e);
            }
        }
    }

    /** Stops scheduling, lets running batches finish, and joins the threads. Queued items are not run. */
    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) return;
            closed = true;
            queues.clear();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        int workers = threads.size() - 1;
        for (int i = 0; i < workers; i++) jobs.offer(new Job<>(null, null));
        for (Thread t : threads) {
            try {
                t.join(TimeUnit.SECONDS.toMillis(30));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
