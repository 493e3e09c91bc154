package org.streamasr.media.adapter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.streamasr.media.MediaMetrics;
import org.streamasr.media.adapter.OutboundChannel.Priority;

class OutboundQueueTest {

    /** A transport whose sends complete only when the test says so (a peer that reads slowly). */
    static final class ManualTransport implements OutboundQueue.Transport {
        final List<String> sent = new ArrayList<>();
        final ArrayDeque<Consumer<Throwable>> pending = new ArrayDeque<>();
        Integer closeCode;
        String closeReason;
        boolean completeImmediately;

        @Override
        public void sendText(String text, Consumer<Throwable> done) {
            sent.add(text);
            if (completeImmediately) done.accept(null);
            else pending.add(done);
        }

        @Override
        public void close(int code, String reason) {
            closeCode = code;
            closeReason = reason;
        }

        void completeOne() {
            pending.poll().accept(null);
        }
    }

    private final MediaMetrics metrics = new MediaMetrics();

    @Test
    void sendsInOrderOneAtATime() {
        ManualTransport t = new ManualTransport();
        OutboundQueue q = new OutboundQueue(t, OutboundQueue.Limits.defaults(), metrics, "test");
        q.sendText("a", Priority.FINAL, null);
        q.sendText("b", Priority.FINAL, null);
        q.sendText("c", Priority.CONTROL, null);
        assertEquals(List.of("a"), t.sent, "only one message in flight");
        t.completeOne();
        t.completeOne();
        assertEquals(List.of("a", "b", "c"), t.sent);
    }

    @Test
    void synchronousCompletionDrainsWithoutRecursion() {
        ManualTransport t = new ManualTransport();
        t.completeImmediately = true;
        OutboundQueue q = new OutboundQueue(t, new OutboundQueue.Limits(1 << 30, 1 << 20), metrics, "test");
        for (int i = 0; i < 100_000; i++) q.sendText("m" + i, Priority.FINAL, null);
        assertEquals(100_000, t.sent.size());
        assertEquals("m99999", t.sent.get(99_999));
    }

    @Test
    void newerPartialReplacesQueuedPartialOfSameKey() {
        ManualTransport t = new ManualTransport();
        OutboundQueue q = new OutboundQueue(t, OutboundQueue.Limits.defaults(), metrics, "test");
        q.sendText("p1", Priority.PARTIAL, "u1");   // in flight
        q.sendText("p2", Priority.PARTIAL, "u1");   // queued
        q.sendText("x", Priority.PARTIAL, "u2");
        q.sendText("p3", Priority.PARTIAL, "u1");   // replaces p2
        q.sendText("f1", Priority.FINAL, "u1");
        while (!t.pending.isEmpty()) t.completeOne();
        assertEquals(List.of("p1", "p3", "x", "f1"), t.sent);
        assertEquals(1, metrics.counters().get("test.outbound.coalesced"));
    }

    @Test
    void overflowDropsPartialsFirstAndNeverFinals() {
        ManualTransport t = new ManualTransport();
        OutboundQueue q = new OutboundQueue(t, new OutboundQueue.Limits(1000, 4), metrics, "test");
        q.sendText("in-flight", Priority.FINAL, null);
        q.sendText("partial-1", Priority.PARTIAL, "a");
        q.sendText("final-1", Priority.FINAL, null);
        q.sendText("partial-2", Priority.PARTIAL, "b");
        q.sendText("final-2", Priority.FINAL, null);
        q.sendText("final-3", Priority.FINAL, null);   // 5 queued > 4: the oldest partial goes
        assertTrue(q.isOpen());
        assertEquals(1, metrics.dropCounter("test.outbound").count("partial-overflow"));
        while (!t.pending.isEmpty()) t.completeOne();
        assertEquals(List.of("in-flight", "final-1", "partial-2", "final-2", "final-3"), t.sent);
    }

    @Test
    void peerThatCannotTakeFinalsIsEvictedWithReason() {
        ManualTransport t = new ManualTransport();
        OutboundQueue q = new OutboundQueue(t, new OutboundQueue.Limits(1000, 3), metrics, "test");
        for (int i = 0; i < 4; i++) assertTrue(q.sendText("final-" + i, Priority.FINAL, null));
        assertFalse(q.sendText("final-4", Priority.FINAL, null), "the fifth final overflows a peer that reads nothing");
        assertEquals(CloseCodes.TRY_AGAIN_LATER, t.closeCode);
        assertTrue(t.closeReason.startsWith("client too slow"), t.closeReason);
        assertEquals(1, metrics.counters().get("test.outbound.evicted"));
        assertFalse(q.isOpen());
        assertFalse(q.sendText("late", Priority.FINAL, null));
        assertEquals(1, metrics.dropCounter("test.outbound").count("after-close"));
    }

    @Test
    void byteLimitCountsToo() {
        ManualTransport t = new ManualTransport();
        OutboundQueue q = new OutboundQueue(t, new OutboundQueue.Limits(10, 100), metrics, "test");
        q.sendText("in flight, not counted", Priority.FINAL, null);
        q.sendText("0123456789", Priority.FINAL, null);
        assertTrue(q.isOpen());
        q.sendText("x", Priority.FINAL, null);
        assertFalse(q.isOpen());
    }

    @Test
    void closeAfterFlushSendsEverythingThenCloses() {
        ManualTransport t = new ManualTransport();
        OutboundQueue q = new OutboundQueue(t, OutboundQueue.Limits.defaults(), metrics, "test");
        q.sendText("a", Priority.FINAL, null);
        q.sendText("b", Priority.FINAL, null);
        q.closeAfterFlush(CloseCodes.NORMAL, "done");
        assertFalse(q.sendText("c", Priority.FINAL, null), "nothing new once closing");
        assertNull(t.closeCode);
        t.completeOne();
        assertNull(t.closeCode, "b still in flight");
        t.completeOne();
        assertEquals(CloseCodes.NORMAL, t.closeCode);
        assertEquals("done", t.closeReason);
        assertEquals(List.of("a", "b"), t.sent);
    }

    @Test
    void whenDrainedCompletesOnceEverythingWasSentOrTheQueueClosed() {
        ManualTransport t = new ManualTransport();
        OutboundQueue q = new OutboundQueue(t, OutboundQueue.Limits.defaults(), metrics, "test");
        assertTrue(q.whenDrained().isDone(), "an idle queue is drained");
        q.sendText("final 1", Priority.FINAL, null);
        q.sendText("final 2", Priority.FINAL, null);
        var drained = q.whenDrained();
        assertFalse(drained.isDone());
        t.completeOne();
        assertFalse(drained.isDone(), "final 2 is still in flight");
        t.completeOne();
        assertTrue(drained.isDone());

        q.sendText("final 3", Priority.FINAL, null);
        q.closeAfterFlush(1000, "call ended");
        var closing = q.whenDrained();
        assertFalse(closing.isDone(), "a close is pending behind final 3");
        t.completeOne();
        assertTrue(closing.isDone());
        assertEquals(1000, t.closeCode);

        OutboundQueue gone = new OutboundQueue(new ManualTransport(), OutboundQueue.Limits.defaults(), metrics, "test");
        gone.sendText("never delivered", Priority.FINAL, null);
        var waiting = gone.whenDrained();
        gone.onTransportClosed();
        assertTrue(waiting.isDone(), "a queue whose peer went away has nothing more to send");
    }

    @Test
    void failedSendClosesAndRefusesMore() {
        ManualTransport t = new ManualTransport();
        OutboundQueue q = new OutboundQueue(t, OutboundQueue.Limits.defaults(), metrics, "test");
        q.sendText("a", Priority.FINAL, null);
        q.sendText("b", Priority.FINAL, null);
        t.pending.poll().accept(new java.io.IOException("broken pipe"));
        assertEquals(List.of("a"), t.sent);
        assertFalse(q.isOpen());
        assertEquals(1, metrics.dropCounter("test.outbound").count("send-failed"));
    }

    @Test
    void longCloseReasonIsCutToFitAControlFrame() {
        String reason = "x".repeat(500);
        String fit = CloseCodes.fitReason(reason);
        assertTrue(fit.getBytes(java.nio.charset.StandardCharsets.UTF_8).length <= 123);
        assertEquals("short", CloseCodes.fitReason("short"));
    }
}
