package org.streamasr.api.webhook;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.streamasr.api.ApiConfig;
import org.streamasr.api.ApiMetrics;
import org.streamasr.api.fetch.PinnedHttpClient;
import org.streamasr.api.fetch.RefusedUrlException;
import org.streamasr.api.jobs.JobService;
import org.streamasr.api.store.DeliveryRecord;
import org.streamasr.api.store.DeliveryStore;
import org.streamasr.api.store.Outcome;
import org.streamasr.api.store.StoreUnavailableException;

/**
 * Delivers {@code fal_webhook} notifications: {@code POST {request_id, gateway_request_id, status, payload, error?}},
 * signed by {@link WebhookSigner}, retried with exponential backoff until a 2xx or the last attempt. Deliveries are
 * in the store from the moment the request completes (same commit as the result) and are removed when acknowledged,
 * so they survive restarts and an acknowledged one is never sent again. The receiver may see a delivery twice (a
 * crash between its 2xx and our commit) and must be idempotent on {@code request_id}; the body never changes.
 */
public final class WebhookDispatcher implements JobService.WebhookSink, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WebhookDispatcher.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ApiConfig.Webhooks config;
    private final DeliveryStore store;
    private final PinnedHttpClient client;
    private final WebhookSigner signer;
    private final ScheduledExecutorService scheduler;
    private final ExecutorService senders;
    private final ApiMetrics metrics;
    private final LongSupplier clock;
    private final Set<String> inFlight = ConcurrentHashMap.newKeySet();
    private final Map<String, Closeable> open = new ConcurrentHashMap<>();
    private volatile boolean closed;

    public WebhookDispatcher(ApiConfig.Webhooks config, DeliveryStore store, PinnedHttpClient client, WebhookSigner signer,
                             ScheduledExecutorService scheduler, ExecutorService senders, ApiMetrics metrics,
                             LongSupplier clock) {
        this.config = config;
        this.store = store;
        this.client = client;
        this.signer = signer;
        this.scheduler = scheduler;
        this.senders = senders;
        this.metrics = metrics;
        this.clock = clock;
    }

    /**
     * Schedules every delivery left in the store by an earlier run; with a shared store, looks again every
     * {@code rescanMillis} for deliveries that are due (another node's, or one whose sender died).
     */
    public void start(long rescanMillis) {
        int n = 0;
        for (DeliveryRecord d : store.all()) {
            schedule(d);
            n++;
        }
        if (n > 0) LOG.info("hosted API: resuming {} pending webhook deliveries", n);
        if (store.shared()) {
            scheduler.scheduleWithFixedDelay(() -> {
                try {
                    dispatchDue();
                } catch (RuntimeException e) {
                    LOG.debug("hosted API: looking for due webhook deliveries failed: {}", e.getMessage());
                }
            }, rescanMillis, rescanMillis, TimeUnit.MILLISECONDS);
        }
    }

    /** Sends the deliveries that are due (a claim decides which node sends each). */
    private void dispatchDue() {
        long now = clock.getAsLong();
        for (DeliveryRecord d : store.all()) {
            if (d.nextAttemptMillis() <= now && !inFlight.contains(d.requestId())) dispatch(d.requestId());
        }
    }

    /**
     * The address rules for a webhook URL at submission, as for an {@code audio_url}: why it would be refused, or null.
     * A host that does not resolve now is accepted (the rules apply again at each delivery). Blocking (DNS): never
     * on a network thread.
     */
    public String refusalAtSubmission(String url) {
        String why = precheck(url);
        if (why != null) return why;
        try {
            client.check(new URI(url));
            return null;
        } catch (RefusedUrlException e) {
            metrics.urlsRefused.inc();
            return e.getMessage();
        } catch (URISyntaxException | java.io.IOException e) {
            return null;
        }
    }

    /** Syntax check for a webhook URL at submission (the address rules are applied at each delivery). */
    public static String precheck(String url) {
        try {
            URI u = new URI(url);
            String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(java.util.Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https")) return "only http and https webhook URLs are accepted";
            if (u.getHost() == null) return "the webhook URL has no host";
            if (u.getRawUserInfo() != null) return "webhook URLs with credentials are not accepted";
            return null;
        } catch (URISyntaxException e) {
            return "not a valid URL: " + e.getReason();
        }
    }

    @Override
    public DeliveryRecord delivery(String requestId, String webhookUrl, Outcome outcome) {
        ObjectNode body = JSON.createObjectNode();
        body.put("request_id", requestId);
        body.put("gateway_request_id", requestId);
        body.put("status", outcome.ok() ? "OK" : "ERROR");
        try {
            body.set("payload", JSON.readTree(outcome.bodyJson()));
        } catch (JsonProcessingException e) {
            body.putNull("payload");
            body.put("payload_error", "the result is not valid JSON");
        }
        if (!outcome.ok()) body.put("error", outcome.error());
        return new DeliveryRecord(requestId, webhookUrl, body.toString(), 0, clock.getAsLong(), null);
    }

    @Override
    public void schedule(DeliveryRecord d) {
        if (closed) return;
        long delay = Math.max(0, d.nextAttemptMillis() - clock.getAsLong());
        try {
            scheduler.schedule(() -> dispatch(d.requestId()), delay, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // shutting down: the delivery stays in the store for the next start
        }
    }

    /**
     * Queues a delivery that is not a queue request's (a call's transcript): stored and committed, then sent like the
     * others. A delivery queued while closing stays in the store for the next start.
     */
    public void enqueue(DeliveryRecord d) {
        store.add(d);
        schedule(d);
    }

    /** Now, on the dispatcher's clock (for a new delivery's first attempt). */
    public long now() {
        return clock.getAsLong();
    }

    /** Deliveries not yet acknowledged (read from the store: in a cluster it waits on JetStream). */
    public int pending() {
        return store.count();
    }

    private void dispatch(String requestId) {
        if (closed || !inFlight.add(requestId)) return;
        try {
            senders.execute(() -> {
                try {
                    attempt(requestId);
                } finally {
                    inFlight.remove(requestId);
                }
            });
        } catch (RejectedExecutionException e) {
            inFlight.remove(requestId);
        }
    }

    private void attempt(String requestId) {
        if (closed) return;
        DeliveryRecord d = store.claim(requestId, clock.getAsLong(), config.timeout().toMillis() * 2);
        if (d == null) return;
        String error = send(d);
        if (closed && error != null) return; // aborted by shutdown: retried at the next start as it stands
        try {
            record(d, error);
        } catch (StoreUnavailableException e) {
            // the claim is still on it: once it lapses the delivery is tried again (sent twice if this one was
            // delivered: receivers are idempotent on request_id)
            LOG.warn("hosted API: webhook for request {} {}, but the store did not record it ({}); it stays pending and "
                    + "is tried again when its claim lapses", requestId,
                    error == null ? "was delivered" : "failed (" + error + ")", e.getMessage());
        }
    }

    /** Stores what an attempt came to: delivered, failed for good, or another attempt later. */
    private void record(DeliveryRecord d, String error) {
        String requestId = d.requestId();
        if (error == null) {
            metrics.webhookAttempts.labelValues("delivered").inc();
            store.delivered(requestId);
            return;
        }
        int attempts = d.attempts() + 1;
        boolean refused = error.startsWith("refused: ");
        if (attempts >= config.attempts() || refused) {
            metrics.webhookAttempts.labelValues("failed").inc();
            store.failed(requestId, error);
            LOG.warn("hosted API: webhook for request {} to {} failed after {} attempt(s): {}", requestId,
                    d.url(), attempts, error);
            return;
        }
        long backoff = Math.min(config.maxBackoff().toMillis(),
                config.initialBackoff().toMillis() * (1L << Math.min(30, attempts - 1)));
        DeliveryRecord next = new DeliveryRecord(requestId, d.url(), d.body(), attempts, clock.getAsLong() + backoff, error);
        metrics.webhookAttempts.labelValues("retry").inc();
        store.retryLater(next);
        LOG.info("hosted API: webhook for request {} attempt {} failed ({}); next in {} s", requestId, attempts, error,
                backoff / 1000);
        schedule(next);
    }

    /** One attempt; null on a 2xx, else what went wrong ("refused: ..." for a forbidden address: no retry). */
    private String send(DeliveryRecord d) {
        URI uri;
        try {
            uri = new URI(d.url());
        } catch (URISyntaxException e) {
            return "refused: not a valid URL";
        }
        long ts = clock.getAsLong() / 1000;
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "application/json");
        headers.put(WebhookSigner.REQUEST_ID_HEADER, d.requestId());
        headers.put(WebhookSigner.TIMESTAMP_HEADER, Long.toString(ts));
        headers.put(WebhookSigner.SIGNATURE_HEADER, signer.sign(ts, d.body()));
        long deadline = System.nanoTime() + config.timeout().toNanos();
        try (PinnedHttpClient.Exchange ex = client.open(uri, "POST", headers, d.body().getBytes(StandardCharsets.UTF_8),
                deadline, socket -> track(d.requestId(), socket))) {
            try {
                drain(ex.body());
            } catch (IOException ignored) {
                // the status decides; a broken body after it does not
            }
            int status = ex.status();
            return status >= 200 && status < 300 ? null : "HTTP " + status;
        } catch (RefusedUrlException e) {
            metrics.urlsRefused.inc();
            return "refused: " + e.getMessage();
        } catch (IOException e) {
            return e.getClass().getSimpleName() + ": " + e.getMessage();
        } finally {
            open.remove(d.requestId());
        }
    }

    private static void drain(InputStream in) throws IOException {
        byte[] buf = new byte[4096];
        long total = 0;
        int n;
        while ((n = in.read(buf)) != -1 && total < 64 * 1024) total += n;
    }

    /** Stops sending; deliveries not acknowledged stay in the store for the next start. */
    @Override
    public void close() {
        closed = true;
        for (Closeable c : open.values()) {
            try {
                c.close();
            } catch (IOException ignored) {
                // only aborts the attempt
            }
        }
    }

    private void track(String requestId, Closeable socket) {
        if (socket == null) open.remove(requestId);
        else open.put(requestId, socket);
        if (closed && socket != null) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // only aborts the attempt
            }
        }
    }
}
