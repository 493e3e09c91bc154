package org.streamasr.api.jobs;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Jobs waiting for a worker: bounded (a full queue is a {@code false} from {@link #offer}, never a block), normal
 * priority before low, first come first served within a priority.
 */
public final class JobQueue {
    private final int capacity;
    private final ArrayDeque<Job> normal = new ArrayDeque<>();
    private final ArrayDeque<Job> low = new ArrayDeque<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notEmpty = lock.newCondition();
    private boolean shutdown;

    public JobQueue(int capacity) {
        this.capacity = capacity;
    }

    /** Adds a new job; false when the queue is full or shut down. */
    public boolean offer(Job job) {
        lock.lock();
        try {
            if (shutdown || normal.size() + low.size() >= capacity) return false;
            (job.lowPriority() ? low : normal).addLast(job);
            notEmpty.signal();
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Re-adds a job accepted before a restart: never refused for capacity, it was acknowledged already. */
    public void addRecovered(Job job) {
        lock.lock();
        try {
            (job.lowPriority() ? low : normal).addLast(job);
            notEmpty.signal();
        } finally {
            lock.unlock();
        }
    }

    /** The next job, waiting for one; null once shut down. */
    public Job take() throws InterruptedException {
        lock.lock();
        try {
            while (!shutdown && normal.isEmpty() && low.isEmpty()) notEmpty.await();
            if (shutdown) return null;
            return normal.isEmpty() ? low.pollFirst() : normal.pollFirst();
        } finally {
            lock.unlock();
        }
    }

    /** The next job, waiting at most {@code timeoutNanos}; null on timeout or once shut down. */
    public Job poll(long timeoutNanos) throws InterruptedException {
        lock.lock();
        try {
            long left = timeoutNanos;
            while (!shutdown && normal.isEmpty() && low.isEmpty()) {
                if (left <= 0) return null;
                left = notEmpty.awaitNanos(left);
            }
            if (shutdown) return null;
            return normal.isEmpty() ? low.pollFirst() : normal.pollFirst();
        } finally {
            lock.unlock();
        }
    }

    public boolean remove(Job job) {
        lock.lock();
        try {
            return normal.remove(job) || low.remove(job);
        } finally {
            lock.unlock();
        }
    }

    /** Jobs ahead of {@code job} (0 = next), or -1 when it is not waiting. */
    public int position(Job job) {
        lock.lock();
        try {
            int i = 0;
            for (Job j : normal) {
                if (j == job) return i;
                i++;
            }
            for (Job j : low) {
                if (j == job) return i;
                i++;
            }
            return -1;
        } finally {
            lock.unlock();
        }
    }

    public int size() {
        lock.lock();
        try {
            return normal.size() + low.size();
        } finally {
            lock.unlock();
        }
    }

    /** Stops handing out jobs and returns those still waiting. */
    public List<Job> shutdown() {
        lock.lock();
        try {
            shutdown = true;
            notEmpty.signalAll();
            List<Job> left = new ArrayList<>(normal);
            left.addAll(low);
            normal.clear();
            low.clear();
            return left;
        } finally {
            lock.unlock();
        }
    }
}
