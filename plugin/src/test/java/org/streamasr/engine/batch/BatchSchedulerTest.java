package org.streamasr.engine.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The scheduler's threads: batches reach the workers, keys never mix, busy workers let batches grow. */
class BatchSchedulerTest {
    private record Batch(String key, List<Integer> items, String thread) {
    }

    @Test
    void fullBatchesLeaveAtOnceAndKeysNeverMix() throws Exception {
        List<Batch> ran = new CopyOnWriteArrayList<>();
        CountDownLatch done = new CountDownLatch(3);
        try (BatchScheduler<String, Integer> s = new BatchScheduler<>("t", 1, 4, Duration.ofHours(1),
                (key, batch, worker) -> {
                    ran.add(new Batch(key, List.copyOf(batch), Thread.currentThread().getName()));
                    done.countDown();
                })) {
            long now = System.nanoTime();
            for (int i = 0; i < 8; i++) s.expect("a", i, now);
            for (int i = 0; i < 4; i++) s.expect("b", 100 + i, now);
            for (int i = 0; i < 8; i++) s.submit("a", i);
            for (int i = 0; i < 4; i++) s.submit("b", 100 + i);
            assertTrue(done.await(10, TimeUnit.SECONDS));
        }
        assertEquals(3, ran.size());
        for (Batch b : ran) {
            assertEquals(4, b.items().size());
            assertTrue(b.thread().startsWith("t-infer-"), b.thread());
            for (int item : b.items()) assertEquals(b.key().equals("a"), item < 100);
        }
    }

    @Test
    void listenersAreToldTheSizeOfEveryBatchAfterItRanFailedOnesToo() throws Exception {
        List<Integer> told = new CopyOnWriteArrayList<>();
        List<Integer> ran = new CopyOnWriteArrayList<>();
        java.util.concurrent.atomic.AtomicInteger items = new java.util.concurrent.atomic.AtomicInteger();
        try (BatchScheduler<String, Integer> s = new BatchScheduler<>("t", 1, 4, Duration.ofHours(1),
                (key, batch, worker) -> {
                    ran.add(batch.size());
                    if (key.equals("bad")) throw new IllegalStateException("model run failed");
                })) {
            s.addListener((size, nanos) -> {
                assertTrue(nanos >= 0);
                told.add(size);
                items.addAndGet(size);
            });
            long now = System.nanoTime();
            for (int i = 0; i < 8; i++) s.expect("a", i, now);
            for (int i = 0; i < 4; i++) s.expect("bad", i, now);
            for (int i = 0; i < 8; i++) s.submit("a", i);
            for (int i = 0; i < 4; i++) s.submit("bad", i);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (items.get() < 12 && System.nanoTime() < deadline) Thread.onSpinWait();
            assertEquals(12, items.get(), "every item's batch was told: " + told);
            assertTrue(s.failures() >= 1, "the bad key's batches failed");
        }
        // How the items split into batches depends on when the worker woke; what is told is exactly what ran.
        assertEquals(ran, told);
        assertTrue(told.stream().allMatch(n -> n >= 1 && n <= 4), told.toString());
    }

    /** That it does not leave before its wait is over is the rule's, checked on an injected clock in BatchQueuesTest. */
    @Test
    void aLoneItemLeavesOnItsOwnOnceItsWaitIsOver() throws Exception {
        CountDownLatch done = new CountDownLatch(1);
        try (BatchScheduler<String, Integer> s = new BatchScheduler<>("t", 1, 32, Duration.ofMillis(20),
                (key, batch, worker) -> done.countDown())) {
            s.expect("a", 2, System.nanoTime());
            s.submit("a", 1);
            assertTrue(done.await(10, TimeUnit.SECONDS));
            assertEquals(0, s.queued());
        }
    }

    @Test
    void itemsWaitingWhileWorkersAreBusyFormOneBatch() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch second = new CountDownLatch(1);
        List<Integer> sizes = new CopyOnWriteArrayList<>();
        try (BatchScheduler<String, Integer> s = new BatchScheduler<>("t", 1, 16, Duration.ZERO, (key, batch, worker) -> {
            sizes.add(batch.size());
            if (sizes.size() == 1) {
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            } else {
                second.countDown();
            }
        })) {
            s.submit("a", 0);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (sizes.isEmpty() && System.nanoTime() < deadline) Thread.onSpinWait();
            for (int i = 1; i <= 5; i++) s.submit("a", i);
            assertEquals(5, s.queued(), "the one worker is busy: nothing leaves");
            release.countDown();
            assertTrue(second.await(10, TimeUnit.SECONDS));
        }
        assertEquals(List.of(1, 5), new ArrayList<>(sizes));
    }

    @Test
    void aLoneItemWithNobodyExpectedIsNotHeldForMaxWait() throws Exception {
        CountDownLatch done = new CountDownLatch(1);
        try (BatchScheduler<String, Integer> s = new BatchScheduler<>("t", 1, 32, Duration.ofHours(1),
                (key, batch, worker) -> done.countDown())) {
            s.expect("a", 2, System.nanoTime());
            s.forget(2);
            s.submit("a", 1);
            assertTrue(done.await(10, TimeUnit.SECONDS), "an hour's max-wait, but nobody can join");
        }
    }

    @Test
    void aThrowingRunnerIsCountedAndTheWorkerGoesOn() throws Exception {
        CountDownLatch done = new CountDownLatch(1);
        try (BatchScheduler<String, Integer> s = new BatchScheduler<>("t", 1, 1, Duration.ZERO, (key, batch, worker) -> {
            if (batch.get(0) == 0) throw new IllegalStateException("boom");
            done.countDown();
        })) {
            s.submit("a", 0);
            s.submit("a", 1);
            assertTrue(done.await(10, TimeUnit.SECONDS));
            assertEquals(1, s.failures());
            s.close();
            assertFalse(s.submit("a", 2), "closed");
        }
    }
}
