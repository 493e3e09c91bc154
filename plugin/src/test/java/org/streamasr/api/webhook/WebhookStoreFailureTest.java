package org.streamasr.api.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.streamasr.api.ApiConfig;
import org.streamasr.api.ApiMetrics;
import org.streamasr.api.fetch.AddressPolicy;
import org.streamasr.api.fetch.PinnedHttpClient;
import org.streamasr.api.store.DeliveryRecord;
import org.streamasr.api.store.DeliveryStore;
import org.streamasr.api.store.StoreUnavailableException;

/**
 * A webhook the receiver acknowledged, whose acknowledgement the shared store could not record (JetStream electing a
 * leader): the sender thread logs it and goes on, nothing is thrown out of it, and the delivery, still in the store,
 * is sent again once its claim lapses and then recorded. Real HTTP receiver, a shared store in memory.
 */
class WebhookStoreFailureTest {
    private final HttpServer receiver;
    private final AtomicInteger posts = new AtomicInteger();
    private final List<Throwable> uncaught = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final ExecutorService senders = Executors.newFixedThreadPool(1, r -> {
        Thread t = new Thread(r, "test-webhook-sender");
        t.setUncaughtExceptionHandler((th, e) -> uncaught.add(e));
        return t;
    });

    WebhookStoreFailureTest() throws Exception {
        receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        receiver.createContext("/hook", ex -> {
            ex.getRequestBody().readAllBytes();
            posts.incrementAndGet();
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        receiver.start();
    }

    @AfterEach
    void stop() {
        receiver.stop(0);
        scheduler.shutdownNow();
        senders.shutdownNow();
    }

    /** A shared store in memory whose first {@code delivered} fails as an unreachable JetStream does. */
    private static final class FlakyStore implements DeliveryStore {
        private final Map<String, DeliveryRecord> pending = new HashMap<>();
        private final Map<String, Long> leases = new HashMap<>();
        final AtomicInteger deliveredCalls = new AtomicInteger();

        @Override
        public synchronized List<DeliveryRecord> all() {
            return new ArrayList<>(pending.values());
        }

        @Override
        public synchronized int count() {
            return pending.size();
        }

        @Override
        public synchronized DeliveryRecord claim(String requestId, long nowMillis, long leaseMillis) {
            DeliveryRecord d = pending.get(requestId);
            if (d == null || d.nextAttemptMillis() > nowMillis || leases.getOrDefault(requestId, 0L) > nowMillis) return null;
            leases.put(requestId, nowMillis + leaseMillis);
            return d;
        }

        @Override
        public synchronized void delivered(String requestId) {
            if (deliveredCalls.incrementAndGet() == 1) {
                throw new StoreUnavailableException("the cluster store cannot be reached (no responders)", null);
            }
            pending.remove(requestId);
        }

        @Override
        public synchronized void failed(String requestId, String error) {
            pending.remove(requestId);
        }

        @Override
        public synchronized void retryLater(DeliveryRecord next) {
            pending.put(next.requestId(), next);
            leases.remove(next.requestId());
        }

        @Override
        public synchronized void add(DeliveryRecord first) {
            pending.put(first.requestId(), first);
        }

        @Override
        public boolean shared() {
            return true;
        }
    }

    @Test
    void anAcknowledgementTheStoreDidNotRecordIsSentAgainNotThrown() throws Exception {
        FlakyStore store = new FlakyStore();
        String url = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook";
        store.add(new DeliveryRecord("req-1", url, "{\"request_id\":\"req-1\"}", 0, System.currentTimeMillis(), null));
        // a 200 ms attempt timeout: the claim lapses after 400 ms
        ApiConfig.Webhooks config = new ApiConfig.Webhooks("secret", 3, Duration.ofMillis(100), Duration.ofSeconds(1),
                Duration.ofMillis(200), 1);
        PinnedHttpClient http = new PinnedHttpClient(new AddressPolicy(true), Duration.ofSeconds(2), SSLContext.getDefault(),
                "test");
        ApiMetrics metrics = new ApiMetrics(new PrometheusRegistry(), () -> 0, () -> 0, () -> 0, () -> 0);
        WebhookDispatcher hooks = new WebhookDispatcher(config, store, http, new WebhookSigner("secret"), scheduler, senders,
                metrics, System::currentTimeMillis);
        try {
            hooks.start(50);
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (store.count() > 0 && System.nanoTime() < deadline) Thread.sleep(10);
            assertEquals(0, store.count(), "recorded in the end");
            assertEquals(2, store.deliveredCalls.get());
            assertEquals(2, posts.get(), "sent again because the first acknowledgement was not recorded");
            assertTrue(uncaught.isEmpty(), "nothing escaped the sender thread: " + uncaught);
        } finally {
            hooks.close();
        }
    }
}
