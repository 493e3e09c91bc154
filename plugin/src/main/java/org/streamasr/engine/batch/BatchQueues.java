package org.streamasr.engine.batch;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToIntFunction;

/**
 * The batching rule of {@link BatchScheduler}, without threads or a clock of its own: ready items wait per key, and a
 * key's batch is due when it holds that key's batch limit, when its oldest item has waited {@code maxWait}, or at
 * once when no other item of that key is expected ready within that wait ("never wait for nobody"). Of the due keys,
 * the one whose oldest item waited longest goes first. Times are whatever the caller's clock says (nanoseconds), so
 * the rule is tested on an injected clock. Not thread-safe: the scheduler calls it under its lock.
 *
 * <p>Expectations: an item that is not queued may say when it expects to be ready next ({@link #expect}); a queued
 * item waits only while some expected item of its key is due by the end of its wait. An expectation more than
 * {@code maxWait} overdue is taken for a stalled producer and ignored. Queuing an item ends its expectation.
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

    private record Expected<K>(K key, long at) {
    }

    private final Map<K, ArrayDeque<Waiting<T>>> queues = new LinkedHashMap<>();
    private final Map<T, Expected<K>> expected = new HashMap<>();
    /** Per key: expected ready time → how many items expect it. */
    private final Map<K, TreeMap<Long, Integer>> expectedTimes = new HashMap<>();
    private final Map<T, K> queued = new HashMap<>();
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
        forget(item);
        queues.computeIfAbsent(key, k -> new ArrayDeque<>()).add(new Waiting<>(item, now));
        queued.put(item, key);
        size++;
    }

    /**
     * Item {@code item} (not queued now) expects to be ready for a batch of {@code key} at {@code at}. Replaces its
     * earlier expectation; ignored while the item is queued.
     */
    void expect(K key, T item, long at) {
        if (queued.containsKey(item)) return;
        forget(item);
        expected.put(item, new Expected<>(key, at));
        expectedTimes.computeIfAbsent(key, k -> new TreeMap<>()).merge(at, 1, Integer::sum);
    }

    /** The item expects nothing (it closed, or is queued). */
    void forget(T item) {
        Expected<K> e = expected.remove(item);
        if (e == null) return;
        TreeMap<Long, Integer> times = expectedTimes.get(e.key());
        if (times.merge(e.at(), -1, Integer::sum) == 0) times.remove(e.at());
        if (times.isEmpty()) expectedTimes.remove(e.key());
    }

    /** Items waiting. */
    int size() {
        return size;
    }

    /** Items that expect to be ready (for tests and metrics). */
    int expectedCount() {
        return expected.size();
    }

    private int limitOf(K key) {
        return Math.max(1, limit.applyAsInt(key));
    }

    /** Whether an item of {@code key} is expected ready in {@code [now - maxWait, until]}. */
    private boolean joinerExpected(K key, long now, long until) {
        TreeMap<Long, Integer> times = expectedTimes.get(key);
        if (times == null) return false;
        Long first = times.ceilingKey(now - maxWaitNanos);
        return first != null && first <= until;
    }

    private boolean due(K key, ArrayDeque<Waiting<T>> q, long now) {
        long since = q.peekFirst().since();
        return q.size() >= limitOf(key) || now - since >= maxWaitNanos || !joinerExpected(key, now, since + maxWaitNanos);
    }

    /** The due batch whose oldest item waited longest, taken off its queue; null when none is due at {@code now}. */
    Batch<K, T> takeDue(long now) {
        K best = null;
        long oldest = Long.MAX_VALUE;
        for (Map.Entry<K, ArrayDeque<Waiting<T>>> e : queues.entrySet()) {
            ArrayDeque<Waiting<T>> q = e.getValue();
            if (q.isEmpty()) continue;
            long since = q.peekFirst().since();
            if (since < oldest && due(e.getKey(), q, now)) {
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
            queued.remove(w.item());
        }
        size -= items.size();
        return new Batch<>(best, items, waited);
    }

    /**
     * Nanoseconds from {@code now} until the next queue that is not due yet becomes due by its wait, or
     * {@link Long#MAX_VALUE} when no item waits for that. (A change of expectations can make a queue due earlier; the
     * scheduler looks again then.)
     */
    long nanosUntilDue(long now) {
        long next = Long.MAX_VALUE;
        for (Map.Entry<K, ArrayDeque<Waiting<T>>> e : queues.entrySet()) {
            ArrayDeque<Waiting<T>> q = e.getValue();
            if (q.isEmpty() || due(e.getKey(), q, now)) continue;
            long due = q.peekFirst().since() + maxWaitNanos - now;
            if (due > 0) next = Math.min(next, due);
        }
        return next;
    }

    void clear() {
        queues.clear();
        queued.clear();
        expected.clear();
        expectedTimes.clear();
        size = 0;
    }
}
