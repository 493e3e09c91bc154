package org.streamasr.captions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.streamasr.media.TranscriptEvent;
import org.streamasr.stream.CallEvents;

/** One call's subscribers on an injected clock: the send-timeout check closes only the one stuck on a send. */
class CaptionBroadcasterTest {
    private final AtomicLong nanos = new AtomicLong(5_000_000_000L);
    private final List<String> closed = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(
            r -> new Thread(r, "test-captions-scheduler"));

    @AfterEach
    void stop() {
        scheduler.shutdownNow();
    }

    private CaptionBroadcaster broadcaster() {
        CallEvents events = new CallEvents() {
            @Override
            public void subscriberClosed(String callId, String reason, boolean evicted) {
                closed.add(callId + " " + (evicted ? "evicted" : "closed") + ": " + reason);
            }
        };
        CaptionsConfig config = new CaptionsConfig(10, 10, 1 << 20, Duration.ofSeconds(2));
        return new CaptionBroadcaster("standup", config, events, scheduler, nanos::get, () -> { });
    }

    private static TranscriptEvent fin(long seq, String text) {
        return new TranscriptEvent("standup", "alice", "Alice", "u" + seq, seq, true, text, "en-US", 0, 100, null);
    }

    @Test
    void theCheckClosesTheSubscriberStuckOnItsLastSendAndNotTheOthers() throws Exception {
        CaptionBroadcaster b = broadcaster();
        CaptionSubscriberTest.HeldChannel stuck = new CaptionSubscriberTest.HeldChannel();
        CaptionSubscriberTest.HeldChannel reading = new CaptionSubscriberTest.HeldChannel();
        reading.completeImmediately = true;
        b.subscribe(stuck);
        b.subscribe(reading);
        b.onTranscript(fin(1, "that is all for today"));   // the call's last caption: nothing follows it
        assertEquals(1, stuck.sent.size());
        assertEquals(1, reading.sent.size());

        nanos.addAndGet(1_900_000_000L);
        b.checkSendTimeouts();
        assertNull(stuck.closeCode, "within the send timeout");
        nanos.addAndGet(200_000_000L);
        b.checkSendTimeouts();
        assertEquals(1008, stuck.closeCode);
        assertEquals(List.of("standup evicted: too slow: a send has not completed in 2000 ms"), closed);
        assertNull(reading.closeCode);
        assertEquals(1, b.subscriberCount());
        assertTrue(stuck.sent.get(0).contains("that is all for today"));
    }
}
