package org.streamasr.engine.nemotron;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.streamasr.engine.Utterance;

/** Results reach the listener off the worker, in order; a slow listener gets the latest partial, and every final. */
class ResultDeliveryTest {
    private static Utterance u(String id, String text) {
        return new Utterance(id, 0, text, null, 0, 0, List.of());
    }

    @Test
    void partialsQueuedBehindASlowListenerAreCoalescedFinalsNever() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger coalesced = new AtomicInteger();
        Recorder r = new Recorder() {
            private boolean first = true;

            @Override
            public void onPartial(Utterance partial) {
                super.onPartial(partial);
                if (first) {
                    first = false;
                    entered.countDown();
                    try {
                        release.await(10, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
        };
        ExecutorService executor = Executors.newSingleThreadExecutor();
        try {
            ResultDelivery d = new ResultDelivery(r, executor, e -> { }, coalesced::incrementAndGet);
            d.partial(u("a", "one"));
            entered.await(10, TimeUnit.SECONDS);
            d.partial(u("a", "one two"));
            d.partial(u("a", "one two three"));
            d.finalResult(u("a", "one two three."));
            d.partial(u("b", "four"));
            d.partial(u("b", "four five"));
            d.finished();
            release.countDown();
            r.awaitFinished(Duration.ofSeconds(10));
        } finally {
            executor.shutdown();
            executor.awaitTermination(10, TimeUnit.SECONDS);
        }
        List<String> seen = r.events.stream().map(e -> e.kind() + (e.utterance() == null ? "" : ":" + e.utterance().text())).toList();
        assertEquals(List.of("partial:one", "partial:one two three", "final:one two three.", "partial:four five", "finished"), seen);
        assertEquals(2, coalesced.get());
    }
}
