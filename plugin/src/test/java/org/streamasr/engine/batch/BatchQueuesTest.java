package org.streamasr.engine.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The scheduler's batching rule on an injected clock (plain nanosecond values): max-batch, max-wait, per-key limits. */
class BatchQueuesTest {
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long T0 = 1_000_000_000L;

    private static BatchQueues<String, Integer> queues(int maxBatch, long maxWaitNanos) {
        return new BatchQueues<>(key -> key.equals("alone") ? 1 : maxBatch, maxWaitNanos);
    }

    @Test
    void aLoneItemLeavesWhenItHasWaitedMaxWaitAndNotBefore() {
        BatchQueues<String, Integer> q = queues(32, 20 * MS);
        q.add("a", 1, T0);
        assertNull(q.takeDue(T0));
        assertEquals(20 * MS, q.nanosUntilDue(T0), "the scheduler sleeps until then");
        assertNull(q.takeDue(T0 + 20 * MS - 1), "one nanosecond early");
        assertEquals(1, q.nanosUntilDue(T0 + 20 * MS - 1));
        BatchQueues.Batch<String, Integer> b = q.takeDue(T0 + 20 * MS);
        assertEquals(List.of(1), b.items());
        assertEquals(20 * MS, b.waitedNanos());
        assertEquals(0, q.size());
        assertEquals(Long.MAX_VALUE, q.nanosUntilDue(T0 + 20 * MS), "nothing waits");
    }

    @Test
    void itemsThatArriveWithinTheOldestOnesWaitLeaveWithIt() {
        BatchQueues<String, Integer> q = queues(32, 20 * MS);
        q.add("a", 1, T0);
        q.add("a", 2, T0 + 5 * MS);
        q.add("a", 3, T0 + 19 * MS);
        assertNull(q.takeDue(T0 + 19 * MS));
        assertEquals(MS, q.nanosUntilDue(T0 + 19 * MS), "the wait runs from the oldest item");
        BatchQueues.Batch<String, Integer> b = q.takeDue(T0 + 20 * MS);
        assertEquals(List.of(1, 2, 3), b.items());
        assertEquals((20 + 15 + 1) * MS, b.waitedNanos());
    }

    @Test
    void aFullBatchLeavesAtOnceAndTheRestWaits() {
        BatchQueues<String, Integer> q = queues(4, 20 * MS);
        for (int i = 0; i < 5; i++) q.add("a", i, T0 + i);
        assertEquals(List.of(0, 1, 2, 3), q.takeDue(T0 + 4).items());
        assertNull(q.takeDue(T0 + 4), "the fifth waits for company");
        assertEquals(20 * MS, q.nanosUntilDue(T0 + 4));
        assertEquals(List.of(4), q.takeDue(T0 + 4 + 20 * MS).items());
    }

    @Test
    void aKeyLimitedToOneNeverWaitsAndNeverShares() {
        BatchQueues<String, Integer> q = queues(32, 20 * MS);
        q.add("alone", 1, T0);
        q.add("alone", 2, T0);
        assertEquals(Long.MAX_VALUE, q.nanosUntilDue(T0), "due now: no timer needed");
        assertEquals(List.of(1), q.takeDue(T0).items());
        assertEquals(List.of(2), q.takeDue(T0).items());
        assertNull(q.takeDue(T0));
    }

    @Test
    void theKeyWhoseOldestItemWaitedLongestGoesFirst() {
        BatchQueues<String, Integer> q = queues(32, 20 * MS);
        q.add("a", 1, T0 + 5 * MS);
        q.add("b", 2, T0);
        assertEquals(5 * MS, q.nanosUntilDue(T0 + 15 * MS), "b's wait ends first");
        assertEquals("b", q.takeDue(T0 + 30 * MS).key());
        assertEquals("a", q.takeDue(T0 + 30 * MS).key());
    }

    @Test
    void noMaxWaitMeansEveryItemIsDueAtOnce() {
        BatchQueues<String, Integer> q = queues(32, 0);
        q.add("a", 1, T0);
        assertEquals(List.of(1), q.takeDue(T0).items());
    }
}
