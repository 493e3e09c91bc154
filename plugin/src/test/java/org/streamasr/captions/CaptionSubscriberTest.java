package org.streamasr.captions;

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

class CaptionSubscriberTest {

    /** A channel whose sends complete only when the test says so. */
    static final class HeldChannel implements CaptionChannel {
        final List<String> sent = new ArrayList<>();
        final ArrayDeque<Consumer<Throwable>> pending = new ArrayDeque<>();
        Integer closeCode;
        String closeReason;
        boolean completeImmediately;

        @Override
        public void send(String text, Consumer<Throwable> done) {
            sent.add(text);
            if (completeImmediately) done.accept(null);
            else pending.add(done);
        }

        void completeOne() {
            pending.poll().accept(null);
        }

        void completeAll() {
            while (!pending.isEmpty()) completeOne();
        }

        @Override
        public void close(int code, String reason) {
            closeCode = code;
            closeReason = reason;
        }

        @Override
        public String describe() {
            return "held";
        }
    }

    private final AtomicLong nanos = new AtomicLong();
    private final List<CaptionSubscriber.Closed> closes = new ArrayList<>();

    private CaptionSubscriber subscriber(HeldChannel channel, long maxBytes) {
        return new CaptionSubscriber(channel, maxBytes, 1_000_000_000L, nanos::get, (s, c) -> closes.add(c));
    }

    private static CaptionMessage partial(String utterance, String text) {
        return CaptionMessage.of(utterance, false, "P " + utterance + " " + text);
    }

    private static CaptionMessage fin(String utterance, String text) {
        return CaptionMessage.of(utterance, true, "F " + utterance + " " + text);
    }

    @Test
    void oneSendAtATimeInOrder() {
        HeldChannel ch = new HeldChannel();
        CaptionSubscriber s = subscriber(ch, 1 << 20);
        s.offer(fin("u1", "a"));
        s.offer(fin("u2", "b"));
        s.offer(fin("u3", "c"));
        assertEquals(List.of("F u1 a"), ch.sent);
        ch.completeOne();
        ch.completeOne();
        ch.completeOne();
        assertEquals(List.of("F u1 a", "F u2 b", "F u3 c"), ch.sent);
        assertEquals(3, s.sentCount());
    }

    @Test
    void waitingPartialsAreCoalescedToTheLatestAndDroppedByTheirFinal() {
        HeldChannel ch = new HeldChannel();
        CaptionSubscriber s = subscriber(ch, 1 << 20);
        s.offer(fin("u0", "earlier"));          // in flight
        s.offer(partial("u1", "he"));
        s.offer(partial("u1", "hello"));
        s.offer(partial("u1", "hello wor"));
        s.offer(partial("u9", "other speaker"));
        ch.completeOne();
        ch.completeOne();
        ch.completeOne();
        assertEquals(List.of("F u0 earlier", "P u1 hello wor", "P u9 other speaker"), ch.sent);
        assertEquals(2, s.coalescedCount());

        s.offer(partial("u2", "good"));         // in flight
        s.offer(partial("u2", "good morn"));    // waiting
        s.offer(fin("u2", "good morning"));     // replaces the waiting partial
        ch.completeAll();
        ch.completeAll();
        assertEquals(List.of("P u2 good", "F u2 good morning"), ch.sent.subList(3, 5));
        assertEquals(0, s.queuedBytes());
    }

    @Test
    void aSubscriberThatCannotKeepUpIsClosedWithAReasonButFinalsAreNeverDroppedBefore() {
        HeldChannel ch = new HeldChannel();
        CaptionSubscriber s = subscriber(ch, 100);
        s.offer(fin("u0", "stuck"));            // in flight, never completes
        for (int i = 1; i <= 8; i++) s.offer(fin("u" + i, "0123456789"));   // 8 x 16 bytes = 128 > 100
        assertEquals(1008, ch.closeCode);
        assertTrue(ch.closeReason.startsWith("too slow"), ch.closeReason);
        assertEquals(1, closes.size());
        assertTrue(closes.get(0).evicted());
        assertTrue(s.isClosed());
        s.offer(fin("u9", "after"));            // ignored, no second close
        assertEquals(1, closes.size());
        assertEquals(List.of("F u0 stuck"), ch.sent);
    }

    @Test
    void partialsAloneDoNotEvictASlowButAliveSubscriber() {
        HeldChannel ch = new HeldChannel();
        CaptionSubscriber s = subscriber(ch, 100);
        s.offer(fin("u0", "in flight"));
        for (int i = 0; i < 1000; i++) s.offer(partial("u1", "word " + i));
        assertNull(ch.closeCode);
        ch.completeAll();
        ch.completeAll();
        assertEquals(List.of("F u0 in flight", "P u1 word 999"), ch.sent);
    }

    @Test
    void aStuckSendIsEvictedAfterTheSendTimeout() {
        HeldChannel ch = new HeldChannel();
        CaptionSubscriber s = subscriber(ch, 1 << 20);
        s.offer(fin("u0", "never completes"));
        nanos.addAndGet(500_000_000L);
        s.offer(partial("u1", "x"));
        assertFalse(s.isClosed());
        nanos.addAndGet(600_000_000L);
        s.offer(partial("u1", "xy"));
        assertTrue(s.isClosed());
        assertEquals(1008, ch.closeCode);
    }

    @Test
    void theTimerEvictsAStuckSendWithoutAnyNewCaption() {
        HeldChannel ch = new HeldChannel();
        CaptionSubscriber s = subscriber(ch, 1 << 20);
        assertFalse(s.evictIfSendStuck(), "nothing in flight: an idle subscriber is never stuck");
        s.offer(fin("u0", "the last words of the meeting"));   // in flight, never completes
        nanos.addAndGet(1_000_000_000L);
        assertFalse(s.evictIfSendStuck(), "exactly at the timeout is not past it");
        assertNull(ch.closeCode);
        nanos.addAndGet(1_000_000L);
        assertTrue(s.evictIfSendStuck());
        assertEquals(1008, ch.closeCode);
        assertEquals("too slow: a send has not completed in 1000 ms", ch.closeReason);
        assertEquals(1, closes.size());
        assertTrue(closes.get(0).evicted());
        assertFalse(s.evictIfSendStuck(), "closed once");
        assertEquals(1, closes.size());
    }

    @Test
    void theTimerLeavesASlowSubscriberWhoseSendsComplete() {
        HeldChannel ch = new HeldChannel();
        CaptionSubscriber s = subscriber(ch, 1 << 20);
        for (int i = 0; i < 5; i++) {
            s.offer(fin("u" + i, "words"));
            nanos.addAndGet(900_000_000L);
            assertFalse(s.evictIfSendStuck());
            ch.completeOne();
        }
        nanos.addAndGet(60_000_000_000L);
        assertFalse(s.evictIfSendStuck(), "nothing in flight any more");
        assertFalse(s.isClosed());
        assertEquals(5, s.sentCount());
    }

    @Test
    void finishSendsWhatIsQueuedThenTheLastMessageThenClosesNormally() {
        HeldChannel ch = new HeldChannel();
        CaptionSubscriber s = subscriber(ch, 1 << 20);
        s.offer(fin("u1", "one"));
        s.offer(fin("u2", "two"));
        s.finish(CaptionMessage.control("END"), "call ended: closed");
        s.offer(fin("u3", "too late"));
        ch.completeAll();
        ch.completeAll();
        ch.completeAll();
        assertEquals(List.of("F u1 one", "F u2 two", "END"), ch.sent);
        assertEquals(1000, ch.closeCode);
        assertFalse(closes.get(0).evicted());
    }

    @Test
    void synchronousCompletionsDoNotRecurse() {
        HeldChannel ch = new HeldChannel();
        ch.completeImmediately = true;
        CaptionSubscriber s = subscriber(ch, 1 << 30);
        for (int i = 0; i < 100_000; i++) s.offer(fin("u" + i, "x"));
        assertEquals(100_000, ch.sent.size());
    }
}
