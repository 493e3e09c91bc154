package org.streamasr.engine.batch;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToIntFunction;

/**
 * The batching rule of {@link BatchScheduler}, without threads or a clock of its own: ready items wait per key, and a
 * key's batch is due when it holds that key's batch limit or its oldest item has waited {@code maxWait}. Of the due
 * keys, the one whose oldest item waited longest goes first. Times are whatever the caller's clock says (nanoseconds),
 * so the rule is tested on an injected clock. Not thread-safe: the scheduler calls it under its lock.
 *
 * @param <K> what items batch by (one model and chunk size)
 * @param <T> the items (streams with a ready chunk)
 */
final class BatchQueues<K, T> {

    /** A batch taken off the queues, with the nanoseconds its items waited, summed. */
    record Batch<K, T>(K key, List<T> items, long waitedNanos) {
    }

    private record Waiting<T>(T item, long since) {
    }

    private final Map<K, ArrayDeque<Waiting<T>>> queues = new LinkedHashMap<>();
    private final ToIntFunction<K> limit;
    private final long maxWaitNanos;
    private int size;

    /**
     * @param limit   the largest batch per key (at least 1)
     * @param maxWait how long an item may wait for others to join its batch, in nanoseconds
     */
    BatchQueues(ToIntFunction<K> limit, long maxWaitNanos) {
        this.limit = limit;
        this.maxWaitNanos = maxWaitNanos;
    }

    void add(K key, T item, long now) {
        queues.computeIfAbsent(key, k -> new ArrayDeque<>()).add(new Waiting<>(item, now));
        size++;
    }

    /** Items waiting. */
    int size() {
        return size;
    }

    private int limitOf(K key) {
        return Math.max(1, limit.applyAsInt(key));
    }

    /** The due batch whose oldest item waited longest, taken off its queue; null when none is due at {@code now}. */
    Batch<K, T> takeDue(long now) {
        K best = null;
        long oldest = Long.MAX_VALUE;
        for (Map.Entry<K, ArrayDeque<Waiting<T>>> e : queues.entrySet()) {
            ArrayDeque<Waiting<T>> q = e.getValue();
            if (q.isEmpty()) continue;
            long since = q.peekFirst().since();
            boolean due = q.size() >= limitOf(e.getKey()) || now - since >= maxWaitNanos;
            if (due && since < oldest) {
                oldest = since;
                best = e.getKey();
            }
        }
        if (best == null) return null;
        ArrayDeque<Waiting<T>> q = queues.get(best);
        int max = limitOf(best);
        List<T> items = new ArrayList<>(Math.min(q.size(), max));
        long waited = 0;
        while (!q.isEmpty() && items.size() < max) {
            Waiting<T> w = q.pollFirst();
            waited += now - w.since();
            items.add(w.item());
        }
        size -= items.size();
        return new Batch<>(best, items, waited);
    }

    /**
     * Nanoseconds from {@code now} until the next queue that is not due yet becomes due by its wait, or
     * {@link Long#MAX_VALUE} when no item waits for that.
     */
    long nanosUntilDue(long now) {
        long next = Long.MAX_VALUE;
        for (Map.Entry<K, ArrayDeque<Waiting<T>>> e : queues.entrySet()) {
            ArrayDeque<Waiting<T>> q = e.getValue();
            if (q.isEmpty() || q.size() >= limitOf(e.getKey())) continue;
            long due = q.peekFirst().since() + maxWaitNanos - now;
            if (due > 0) next = Math.min(next, due);
        }
        return next;
    }

    void clear() {
        queues.clear();
        size = 0;
    }
}
