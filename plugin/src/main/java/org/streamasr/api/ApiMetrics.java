package org.streamasr.api;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.Collector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.function.DoubleSupplier;
import java.util.function.IntSupplier;

/**
 * The hosted API's Prometheus metrics ({@code asr_api_*}). Registered in the server's registry at start and removed
 * at close, so that an API can be restarted inside one process.
 */
public final class ApiMetrics {
    private final PrometheusRegistry registry;
    private final List<Collector> registered = new ArrayList<>();

    /** Requests that ended, by mode (queue, sync, stream) and result (ok, error, cancelled). */
    public final Counter completed;
    /**
     * Requests refused before they were queued, by reason (queue_full, unauthorized, invalid, shutting_down,
     * submit_timeout, store_busy).
     */
    public final Counter rejected;
    /** Seconds from start of work to the end, by mode. */
    public final Histogram duration;
    /** Seconds of audio fed to the engine. */
    public final Counter audioSeconds;
    /** audio_url and webhook URLs refused by the address rules. */
    public final Counter urlsRefused;
    /** Webhook attempts by result (delivered, retry, failed). */
    public final Counter webhookAttempts;
    /** Bytes received through uploads. */
    public final Counter uploadBytes;
    /** Unexpected failures answered with an error id. */
    public final Counter internalErrors;
    /** Event-stream clients disconnected because they stopped reading. */
    public final Counter stalledClients;

    /**
     * @param pendingWebhooks read at each scrape: it must not wait on a store
     * @param pendingWebhooksAge seconds since {@code pendingWebhooks} was read from its store (0 when read live)
     */
    public ApiMetrics(PrometheusRegistry registry, IntSupplier queued, IntSupplier running, IntSupplier pendingWebhooks,
                      DoubleSupplier pendingWebhooksAge) {
        this.registry = registry;
        completed = add(Counter.builder().name("asr_api_requests_completed_total")
                .help("Hosted API requests that ended, by mode and result").labelNames("mode", "result").withoutExemplars().build());
        rejected = add(Counter.builder().name("asr_api_requests_rejected_total")
                .help("Hosted API requests refused before queueing, by reason").labelNames("reason").withoutExemplars().build());
        duration = add(Histogram.builder().name("asr_api_request_duration_seconds")
                .help("Hosted API processing time per request (fetch, decode, recognition)").labelNames("mode")
                .classicOnly().classicUpperBounds(0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800).withoutExemplars().build());
        audioSeconds = add(Counter.builder().name("asr_api_audio_seconds_total")
                .help("Seconds of audio recognised through the hosted API").withoutExemplars().build());
        urlsRefused = add(Counter.builder().name("asr_api_urls_refused_total")
                .help("audio_url or webhook URLs refused by the address rules (SSRF protection)").withoutExemplars().build());
        webhookAttempts = add(Counter.builder().name("asr_api_webhook_attempts_total")
                .help("Webhook delivery attempts by result").labelNames("result").withoutExemplars().build());
        uploadBytes = add(Counter.builder().name("asr_api_upload_bytes_total")
                .help("Bytes received through the storage upload endpoint").withoutExemplars().build());
        internalErrors = add(Counter.builder().name("asr_api_internal_errors_total")
                .help("Unexpected failures, answered with an error id and logged").withoutExemplars().build());
        stalledClients = add(Counter.builder().name("asr_api_stalled_clients_total")
                .help("Event-stream clients disconnected because they stopped reading").withoutExemplars().build());
        add(GaugeWithCallback.builder().name("asr_api_queue_depth").help("Hosted API requests waiting for a worker")
                .callback(cb -> cb.call(queued.getAsInt())).build());
        add(GaugeWithCallback.builder().name("asr_api_requests_running").help("Hosted API requests being processed")
                .callback(cb -> cb.call(running.getAsInt())).build());
        add(GaugeWithCallback.builder().name("asr_api_webhooks_pending").help("Webhook deliveries not yet acknowledged")
                .callback(cb -> cb.call(pendingWebhooks.getAsInt())).build());
        add(GaugeWithCallback.builder().name("asr_api_webhooks_pending_age_seconds")
                .help("Seconds since asr_api_webhooks_pending was read from the store (a cluster refreshes it every "
                        + "second; more means JetStream did not answer)")
                .callback(cb -> cb.call(pendingWebhooksAge.getAsDouble())).build());
    }

    /** A gauge read when scraped, unregistered with the others. */
    public void gauge(String name, String help, DoubleSupplier value) {
        add(GaugeWithCallback.builder().name(name).help(help).callback(cb -> cb.call(value.getAsDouble())).build());
    }

    private <T extends Collector> T add(T c) {
        registry.register(c);
        registered.add(c);
        return c;
    }

    /** Removes every metric of this instance from the registry. */
    public void unregister() {
        for (Collector c : registered) registry.unregister(c);
        registered.clear();
    }
}
