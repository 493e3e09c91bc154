package org.streamasr.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class BoundedSenderTest {

    /** Records sends and completes them only when told. */
    static final class HeldTransport implements BoundedSender.Transport {
        final List<String> sent = new ArrayList<>();
        final ArrayDeque<Consumer<Throwable>> pending = new ArrayDeque<>();
        Integer closeCode;
        String closeReason;

        @Override
        public void send(String text, Consumer<Throwable> done) {
            sent.add(text);
            pending.add(done);
        }

        @Override
        public void close(int code, String reason) {
            closeCode = code;
            closeReason = reason;
        }

        /** Completes the sends pending now (not those they start). */
        void completeAll() {
            int n = pending.size();
            for (int i = 0; i < n; i++) pending.poll().accept(null);
        }
    }

    private final HeldTransport t = new HeldTransport();
    private final AtomicLong nanos = new AtomicLong();
    private final List<BoundedSender.Closed> closes = new ArrayList<>();
    private final BoundedSender.Listener listener = new BoundedSender.Listener() {
        @Override
        public void closed(BoundedSender.Closed closed) {
            closes.add(closed);
        }
    };

    private BoundedSender sender(long maxSize, int maxMessages, boolean dropPartials, boolean finalSupersedes) {
        return new BoundedSender(t, new BoundedSender.Policy(maxSize, maxMessages, dropPartials, finalSupersedes, 4000,
                (m, s) -> "too slow: " + m + " waiting", 1_000_000_000L, 4001), nanos::get, listener);
    }

    @Test
    void sendsOneAtATimeInOrderAndCoalescesWaitingPartialsOfOneKey() {
        BoundedSender s = sender(1000, 100, false, false);
        s.offer("final 0", 1, false, null);
        s.offer("partial a1", 1, true, "a");
        s.offer("partial b1", 1, true, "b");
        s.offer("partial a2", 1, true, "a");
        assertEquals(List.of("final 0"), t.sent);
        t.completeAll();
        t.completeAll();
        t.completeAll();
        assertEquals(List.of("final 0", "partial a2", "partial b1"), t.sent);
        assertEquals(1, s.coalescedCount());
        assertEquals(3, s.sentCount());
    }

    @Test
    void aFinalSupersedesItsWaitingPartialOnlyWhenThePolicySaysSo() {
        BoundedSender supersedes = sender(1000, 100, false, true);
        supersedes.offer("in flight", 1, false, null);
        supersedes.offer("partial a", 1, true, "a");
        supersedes.offer("final a", 1, false, "a");
        t.completeAll();
        t.completeAll();
        assertEquals(List.of("in flight", "final a"), t.sent);
    }

    @Test
    void aFinalOfTheKeyFreezesItsWaitingPartialSoALaterPartialNeverOvertakesIt() {
        BoundedSender s = sender(1000, 100, false, false);
        s.offer("in flight", 1, false, null);
        s.offer("status 1", 1, true, "k");
        s.offer("state change", 1, false, "k");
        s.offer("status 2", 1, true, "k");
        s.offer("status 3", 1, true, "k");
        for (int i = 0; i < 4; i++) t.completeAll();
        assertEquals(List.of("in flight", "status 1", "state change", "status 3"), t.sent);
    }

    @Test
    void overflowDropsOldestPartialsFirstThenEvictsAPeerThatCannotTakeFinals() {
        BoundedSender s = sender(1000, 2, true, false);
        s.offer("in flight", 1, false, null);
        s.offer("p1", 1, true, "x");
        s.offer("f1", 1, false, null);
        assertTrue(s.offer("f2", 1, false, null), "the partial goes, the finals stay");
        assertTrue(s.isOpen());
        assertFalse(s.offer("f3", 1, false, null));
        assertEquals(4000, t.closeCode);
        assertEquals("too slow: 3 waiting", t.closeReason);
        assertEquals(1, closes.size());
        assertTrue(closes.get(0).evicted());
        assertFalse(s.offer("late", 1, false, null));
        assertEquals(List.of("in flight"), t.sent);
    }

    @Test
    void aSendStuckPastTheTimeoutIsEvictedByTheTimer() {
        BoundedSender s = sender(1000, 100, false, false);
        assertFalse(s.evictIfSendStuck(), "nothing in flight");
        s.offer("stuck", 1, false, null);
        nanos.addAndGet(1_000_000_000L);
        assertFalse(s.evictIfSendStuck(), "exactly at the timeout is not past it");
        nanos.incrementAndGet();
        assertTrue(s.evictIfSendStuck());
        assertEquals(4000, t.closeCode);
        assertFalse(s.evictIfSendStuck(), "closed once");
        assertEquals(1, closes.size());
    }

    @Test
    void finishSendsEverythingThenTheLastMessageThenCloses() {
        BoundedSender s = sender(1000, 100, false, false);
        s.offer("a", 1, false, null);
        s.finish("end", 3, 1000, "done");
        assertFalse(s.offer("after", 1, false, null));
        var drained = s.whenDrained();
        assertFalse(drained.isDone());
        t.pending.poll().accept(null);
        assertNull(t.closeCode, "end still in flight");
        t.pending.poll().accept(null);
        assertEquals(List.of("a", "end"), t.sent);
        assertEquals(1000, t.closeCode);
        assertEquals("done", t.closeReason);
        assertTrue(drained.isDone());
        assertFalse(closes.get(0).evicted());
    }

    @Test
    void aFailedSendClosesWithTheConfiguredCode() {
        BoundedSender s = sender(1000, 100, false, false);
        s.offer("a", 1, false, null);
        s.offer("b", 1, false, null);
        t.pending.poll().accept(new java.io.IOException("broken pipe"));
        assertEquals(4001, t.closeCode);
        assertEquals(BoundedSender.Cause.SEND_FAILED, closes.get(0).cause());
        assertTrue(s.whenClosed().isDone());
        assertEquals(List.of("a"), t.sent);
    }

    @Test
    void synchronousCompletionsDoNotRecurse() {
        List<String> sent = new ArrayList<>();
        BoundedSender s = new BoundedSender(new BoundedSender.Transport() {
            @Override
            public void send(String text, Consumer<Throwable> done) {
                sent.add(text);
                done.accept(null);
            }

            @Override
            public void close(int code, String reason) {
            }
        }, new BoundedSender.Policy(10, 10, false, false, 4000, (m, z) -> "slow", 0, 0), nanos::get, listener);
        for (int i = 0; i < 100_000; i++) s.offer("m" + i, 1, false, null);
        assertEquals(100_000, sent.size());
    }
}
