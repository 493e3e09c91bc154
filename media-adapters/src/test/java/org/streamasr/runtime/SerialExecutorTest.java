package org.streamasr.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.junit.jupiter.api.Test;

/** The one serial executor, driven by a pool that runs what it was given only when the test says so. */
class SerialExecutorTest {
    private final List<Runnable> parked = new ArrayList<>();
    private final Executor pool = parked::add;
    private final List<String> ran = new ArrayList<>();
    private final List<Throwable> errors = new ArrayList<>();

    private void runParked() {
        while (!parked.isEmpty()) parked.remove(0).run();
    }

    @Test
    void tasksRunOneAtATimeInOrderAndAFailingTaskDoesNotStopTheOthers() {
        SerialExecutor e = new SerialExecutor(pool, 8, 64, SerialExecutor.WhenPoolRefuses.REFUSE, (t, x) -> errors.add(x));
        assertTrue(e.offer(() -> ran.add("a")));
        assertTrue(e.offer(() -> {
            throw new IllegalStateException("boom");
        }));
        assertTrue(e.offer(() -> ran.add("c")));
        assertEquals(1, parked.size(), "one pool task however many are queued");
        runParked();
        assertEquals(List.of("a", "c"), ran);
        assertEquals(1, errors.size());
        assertEquals(0, e.size());
    }

    @Test
    void aFullExecutorRefusesAndDroppableTasksAreRefusedAtHalf() {
        SerialExecutor e = new SerialExecutor(pool, 4, 64, SerialExecutor.WhenPoolRefuses.REFUSE, (t, x) -> errors.add(x));
        assertTrue(e.offer(() -> ran.add("1"), true));
        assertTrue(e.offer(() -> ran.add("2"), true));
        assertFalse(e.offer(() -> ran.add("partial"), true), "half full: droppable refused");
        assertTrue(e.offer(() -> ran.add("3")));
        assertTrue(e.offer(() -> ran.add("4")));
        assertFalse(e.offer(() -> ran.add("5")), "full");
        e.append(() -> ran.add("end"));
        runParked();
        assertEquals(List.of("1", "2", "3", "4", "end"), ran);
    }

    @Test
    void aBusyOwnerYieldsThePoolThreadAfterItsTurn() {
        SerialExecutor e = new SerialExecutor(pool, 16, 2, SerialExecutor.WhenPoolRefuses.REFUSE, (t, x) -> errors.add(x));
        for (int i = 0; i < 5; i++) {
            int n = i;
            e.offer(() -> ran.add("t" + n));
        }
        parked.remove(0).run();
        assertEquals(List.of("t0", "t1"), ran);
        assertEquals(1, parked.size(), "went to the back of the pool's queue");
        runParked();
        assertEquals(5, ran.size());
    }

    @Test
    void aShutDownPoolEitherRunsHereOrRefuses() {
        Executor shut = r -> {
            throw new RejectedExecutionException("shut down");
        };
        SerialExecutor here = new SerialExecutor(shut, 4, 64, SerialExecutor.WhenPoolRefuses.RUN_HERE, (t, x) -> errors.add(x));
        assertTrue(here.offer(() -> ran.add("last final")));
        assertEquals(List.of("last final"), ran);
        SerialExecutor refuse = new SerialExecutor(shut, 4, 64, SerialExecutor.WhenPoolRefuses.REFUSE, (t, x) -> errors.add(x));
        assertFalse(refuse.offer(() -> ran.add("never")));
        assertEquals(0, refuse.size());
        assertEquals(List.of("last final"), ran);
    }
}
