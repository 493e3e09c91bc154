package org.streamasr.engine.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The scheduler's batching rule on an injected clock (plain nanosecond values): max-batch, max-wait, per-key limits,
 * and waiting only for items expected within the wait.
 */
class BatchQueuesTest {
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long T0 = 1_000_000_000L;
    /** An item that is expected but never comes. */
    private static final int NO_SHOW = 99;

    private static BatchQueues<String, Integer> queues(int maxBatch, long maxWaitNanos) {
        return new BatchQueues<>(key -> key.equals("alone") ? 1 : maxBatch, maxWaitNanos);
    }

    @Test
    void aLoneItemWithNobodyExpectedLeavesAtOnce() {
        BatchQueues<String, Integer> q = queues(32, 20 * MS);
        q.add("a", 1, T0);
        BatchQueues.Batch<String, Integer> b = q.takeDue(T0);
        assertEquals(List.of(1), b.items());
        assertEquals(0, b.waitedNanos());
    }

    @Test
    void anItemWaitsForAStreamExpectedWithinTheWaitAndLeavesWithItWhenItComes() {
        BatchQueues<String, Integer> q = queues(32, 20 * MS);
        q.expect("a", 2, T0 + 5 * MS);
        q.add("a", 1, T0);
        assertNull(q.takeDue(T0), "2 is due in 5 ms");
        assertEquals(20 * MS, q.nanosUntilDue(T0), "the wait is bounded by max-wait");
        q.add("a", 2, T0 + 6 * MS);
        assertEquals(0, q.expectedCount(), "queuing ends the expectation");
        BatchQueues.Batch<String, Integer> b = q.takeDue(T0 + 6 * MS);
        assertEquals(List.of(1, 2), b.items(), "nobody else is expected: it leaves without waiting out max-wait");
        assertEquals(6 * MS, b.waitedNanos());
    }

    @Test
    void aStreamExpectedAfterTheWaitIsNotWaitedFor() {
        BatchQueues<String, Integer> q = queues(32, 20 * MS);
        q.expect("a", 2, T0 + 21 * MS);
        q.add("a", 1, T0);
        assertEquals(List.of(1), q.takeDue(T0).items());
    }

    @Test
    void anExpectedItemThatNeverComesHoldsTheBatchForMaxWaitAndNotLonger() {
        BatchQueues<String, Integer> q = queues(32, 20 * MS);
        q.expect("a", NO_SHOW, T0 + 5 * MS);
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
    void anExpectationOverdueByMoreThanMaxWaitIsAStalledStreamAndHoldsNobody() {
        BatchQueues<String, Integer> q = queues(32, 20 * MS);
        q.expect("a", NO_SHOW, T0);
        q.add("a", 1, T0 + 19 * MS);
        assertNull(q.takeDue(T0 + 19 * MS), "19 ms late: maybe jitter");
        q.add("a", 2, T0 + 21 * MS);
        assertEquals(List.of(1, 2), q.takeDue(T0 + 21 * MS).items(), "21 ms late: stalled");
    }

    @Test
    void onlyStreamsOfTheSameKeyAreWaitedFor() {
        BatchQueues<String, Integer> q = queues(32, 20 * MS);
        q.expect("b", 2, T0 + 5 * MS);
        q.add("a", 1, T0);
        assertEquals(List.of(1), q.takeDue(T0).items(), "2 cannot join a batch of a");
    }

    @Test
    void aStreamThatIsForgottenNoLongerHoldsTheBatch() {
        BatchQueues<String, Integer> q = queues(32, 20 * MS);
        q.expect("a", 2, T0 + 5 * MS);
        q.add("a", 1, T0);
        assertNull(q.takeDue(T0 + MS));
        q.forget(2);
        assertEquals(List.of(1), q.takeDue(T0 + MS).items());
    }

    @Test
    void aQueuedItemCannotAlsoBeExpected() {
        BatchQueues<String, Integer> q = queues(32, 20 * MS);
        q.add("a", 1, T0);
        q.expect("a", 1, T0 + 5 * MS);
        assertEquals(0, q.expectedCount());
        assertEquals(List.of(1), q.takeDue(T0).items(), "it does not wait for itself");
    }

    @Test
    void aLaterExpectationReplacesTheEarlierOne() {
        BatchQueues<String, Integer> q = queues(32, 20 * MS);
        q.expect("a", 2, T0 + 5 * MS);
        q.expect("a", 2, T0 + 40 * MS);
        assertEquals(1, q.expectedCount());
        q.add("a", 1, T0);
        assertEquals(List.of(1), q.takeDue(T0).items(), "2 now comes after the wait");
    }

    @Test
    void itemsThatArriveWithinTheOldestOnesWaitLeaveWithIt() {
        BatchQueues<String, Integer> q = queues(32, 20 * MS);
        q.expect("a", 2, T0 + 5 * MS);
        q.expect("a", 3, T0 + 19 * MS);
        q.expect("a", NO_SHOW, T0 + 19 * MS);
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
        q.expect("a", NO_SHOW, T0 + 10 * MS);
        for (int i = 0; i < 5; i++) q.add("a", i, T0 + i);
        assertEquals(List.of(0, 1, 2, 3), q.takeDue(T0 + 4).items());
        assertNull(q.takeDue(T0 + 4), "the fifth waits for company");
        assertEquals(20 * MS, q.nanosUntilDue(T0 + 4));
        assertEquals(List.of(4), q.takeDue(T0 + 4 + 20 * MS).items());
    }

    @Test
    void aKeyLimitedToOneNeverWaitsAndNeverShares() {
        BatchQueues<String, Integer> q = queues(32, 20 * MS);
        q.expect("alone", NO_SHOW, T0);
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
        q.expect("a", 98, T0 + 10 * MS);
        q.expect("b", NO_SHOW, T0 + 10 * MS);
        q.add("a", 1, T0 + 5 * MS);
        q.add("b", 2, T0);
        assertEquals(5 * MS, q.nanosUntilDue(T0 + 15 * MS), "b's wait ends first");
        assertEquals("b", q.takeDue(T0 + 30 * MS).key());
        assertEquals("a", q.takeDue(T0 + 30 * MS).key());
    }

    @Test
    void noMaxWaitMeansEveryItemIsDueAtOnce() {
        BatchQueues<String, Integer> q = queues(32, 0);
        q.expect("a", NO_SHOW, T0);
        q.add("a", 1, T0);
        assertEquals(List.of(1), q.takeDue(T0).items());
    }
}
