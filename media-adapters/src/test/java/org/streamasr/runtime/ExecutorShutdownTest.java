package org.streamasr.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The three ways to stop a pool, each against a pool that stops in time and one whose task will not. */
class ExecutorShutdownTest {
    private final ListAppender<ILoggingEvent> lines = new ListAppender<>();
    private final Logger log = (Logger) LoggerFactory.getLogger("org.streamasr.runtime.ExecutorShutdownTest.owner");
    private final CountDownLatch started = new CountDownLatch(1);
    private final CountDownLatch release = new CountDownLatch(1);
    private final CountDownLatch interrupted = new CountDownLatch(1);
    private final AtomicBoolean finished = new AtomicBoolean();
    private ExecutorService pool;

    @BeforeEach
    void capture() {
        lines.start();
        log.addAppender(lines);
    }

    @AfterEach
    void release() throws InterruptedException {
        log.detachAppender(lines);
        release.countDown();
        if (pool != null) {
            pool.shutdownNow();
            assertTrue(pool.awaitTermination(5, TimeUnit.SECONDS), "test pool left running");
        }
    }

    private List<String> logged() {
        return lines.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }

    /** A task that does not look at shutdown(): it waits for the test's release and only an interrupt ends it early. */
    private void startStubbornTask() throws InterruptedException {
        pool.execute(() -> {
            started.countDown();
            try {
                release.await();
                finished.set(true);
            } catch (InterruptedException e) {
                interrupted.countDown();
            }
        });
        assertTrue(started.await(5, TimeUnit.SECONDS));
    }

    @Test
    void aPoolWhoseWorkEndsInTimeRunsItsQueuedWorkAndStopsWithoutALogLine() {
        pool = Executors.newFixedThreadPool(2, NamedThreads.factory("shutdown-test", true));
        List<Integer> ran = new CopyOnWriteArrayList<>();
        for (int i = 0; i < 20; i++) {
            int n = i;
            pool.execute(() -> ran.add(n));
        }
        assertTrue(ExecutorShutdown.stop(pool, Duration.ofSeconds(5), "test pool", log));
        assertTrue(pool.isTerminated());
        assertEquals(20, ran.size(), "queued work ran before the pool stopped");
        assertEquals(List.of(), logged());
    }

    @Test
    void aTaskThatIgnoresShutdownIsInterruptedAtTheBoundAndWhatWasQueuedIsDropped() throws Exception {
        pool = Executors.newSingleThreadExecutor(NamedThreads.single("shutdown-test", true));
        startStubbornTask();
        AtomicBoolean queuedRan = new AtomicBoolean();
        pool.execute(() -> queuedRan.set(true));

        assertFalse(ExecutorShutdown.stop(pool, Duration.ofMillis(200), "test pool", log));

        assertTrue(interrupted.await(5, TimeUnit.SECONDS), "the stubborn task was interrupted");
        assertTrue(pool.awaitTermination(5, TimeUnit.SECONDS));
        assertFalse(queuedRan.get(), "the queued task was dropped");
        assertFalse(Thread.currentThread().isInterrupted());
        assertEquals(List.of("test pool did not stop within 200 ms; interrupted its threads, 1 queued task(s) dropped"),
                logged());
    }

    @Test
    void anInterruptedWaitEndsAtOnceStopsThePoolAndKeepsTheInterrupt() throws Exception {
        pool = Executors.newSingleThreadExecutor(NamedThreads.single("shutdown-test", true));
        startStubbornTask();

        Thread.currentThread().interrupt();
        long t0 = System.nanoTime();
        boolean stopped = ExecutorShutdown.stop(pool, Duration.ofSeconds(60), "test pool", log);
        long waitedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);

        assertTrue(Thread.interrupted(), "the interrupt is still set (and cleared here)");
        assertFalse(stopped);
        assertTrue(waitedMillis < 30_000, "did not wait out the bound: " + waitedMillis + " ms");
        assertTrue(interrupted.await(5, TimeUnit.SECONDS), "the pool's task was interrupted");
        assertEquals(List.of("test pool did not stop before the wait for it was interrupted; interrupted its threads"),
                logged());
    }

    @Test
    void drainKeepsTheInterruptOfAnInterruptedWaitAndDoesNotPassItToThePool() throws Exception {
        pool = Executors.newSingleThreadExecutor(NamedThreads.single("shutdown-test", true));
        startStubbornTask();

        Thread.currentThread().interrupt();
        assertFalse(ExecutorShutdown.drain(pool, Duration.ofSeconds(60), "test pool", log));
        assertTrue(Thread.interrupted(), "the interrupt is still set (and cleared here)");
        assertEquals(1, interrupted.getCount(), "drain never interrupts the pool's task");
    }

    @Test
    void stopNowDropsATimersPendingTicksAtOnce() {
        ScheduledExecutorService timer =
                Executors.newSingleThreadScheduledExecutor(NamedThreads.single("shutdown-test", true));
        pool = timer;
        AtomicBoolean ticked = new AtomicBoolean();
        timer.schedule(() -> ticked.set(true), 1, TimeUnit.HOURS);

        assertTrue(ExecutorShutdown.stopNow(timer, Duration.ofSeconds(5), "test timer", log));
        assertTrue(timer.isTerminated());
        assertFalse(ticked.get());
        assertEquals(List.of(), logged());
    }

    @Test
    void drainLeavesABusyTaskRunningPastTheBoundAndSaysSo() throws Exception {
        pool = Executors.newSingleThreadExecutor(NamedThreads.single("shutdown-test", true));
        startStubbornTask();

        assertFalse(ExecutorShutdown.drain(pool, Duration.ofMillis(100), "test writer", log));
        assertEquals(List.of("test writer did not stop within 100 ms; left running"), logged());

        release.countDown();
        assertTrue(pool.awaitTermination(5, TimeUnit.SECONDS));
        assertTrue(finished.get(), "the task finished its work, uninterrupted");
        assertEquals(1, interrupted.getCount());
    }
}
