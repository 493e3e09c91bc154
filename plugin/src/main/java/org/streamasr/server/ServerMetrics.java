package org.streamasr.server;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.streamasr.engine.BatchListener;
import org.streamasr.engine.SpeechEngine;
import org.streamasr.media.MediaMetrics;
import org.streamasr.media.TranscriptEvent;
import org.streamasr.stream.CallEvents;
import org.streamasr.stream.CallRegistry;
import org.streamasr.stream.CallSession;
import org.streamasr.runtime.DistinctErrorLog;

/**
 * The server's Prometheus metrics, fed by the paired lifecycle events and read at scrape time from the registry,
 * the media adapters' counters and the error log. Names are listed in README "Operations".
 */
public final class ServerMetrics implements CallEvents {
    private static final double[] LATENCY_BUCKETS = {0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2, 3, 5};
    private static final double[] BATCH_SIZE_BUCKETS = {1, 2, 4, 8, 16, 32, 64, 128, 256};

    private final Counter callsStarted;
    private final Counter callsEnded;
    private final Counter callsFailed;
    private final Histogram callDuration;
    private final Counter streamsOpened;
    private final Counter streamAudio;
    private final Counter transcripts;
    private final Histogram chunkLatency;
    private final Histogram batchSize;
    private final Histogram batchDuration;
    private final Counter subscribersOpened;
    private final Counter subscribersEvicted;
    private final java.util.List<SpeechEngine> engines = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final AtomicInteger streamsActive = new AtomicInteger();
    private final AtomicInteger subscribersActive = new AtomicInteger();

    public ServerMetrics(PrometheusRegistry registry) {
        callsStarted = Counter.builder().name("asr_calls_started_total").help("Calls opened, by source adapter")
                .labelNames("source").register(registry);
        callsEnded = Counter.builder().name("asr_calls_ended_total").help("Calls ended, by source and reason")
                .labelNames("source", "reason").register(registry);
        callsFailed = Counter.builder().name("asr_calls_failed_total")
                .help("Calls ended by an error, by the stage that failed").labelNames("stage").register(registry);
        callDuration = Histogram.builder().name("asr_call_duration_seconds").help("Call durations")
                .classicOnly().classicUpperBounds(1, 10, 60, 300, 900, 1800, 3600, 7200).register(registry);
        streamsOpened = Counter.builder().name("asr_streams_opened_total")
                .help("Participant ASR streams opened").register(registry);
        streamAudio = Counter.builder().name("asr_stream_audio_seconds_total")
                .help("Audio received by closed participant streams, gaps filled with silence included")
                .register(registry);
        transcripts = Counter.builder().name("asr_transcripts_total").help("Transcript events delivered, by type")
                .labelNames("type").register(registry);
        chunkLatency = Histogram.builder().name("asr_chunk_latency_seconds")
                .help("Time from the push of the frame that completed a chunk's audio to the partial it produced")
                .classicOnly().classicUpperBounds(LATENCY_BUCKETS).register(registry);
        batchSize = Histogram.builder().name("asr_engine_batch_size")
                .help("Streams per model run of a batching engine (nemotron); _count is the number of batches")
                .labelNames("engine").classicOnly().classicUpperBounds(BATCH_SIZE_BUCKETS).register(registry);
        batchDuration = Histogram.builder().name("asr_engine_batch_seconds")
                .help("Time one batch took on an inference worker (features, model runs, search, results)")
                .labelNames("engine").classicOnly().classicUpperBounds(LATENCY_BUCKETS).register(registry);
        subscribersOpened = Counter.builder().name("asr_caption_subscribers_opened_total")
                .help("Caption subscribers admitted").register(registry);
        subscribersEvicted = Counter.builder().name("asr_caption_subscribers_evicted_total")
                .help("Caption subscribers closed because they could not keep up").register(registry);
        CounterWithCallback.builder().name("asr_engine_host_device_bytes_total")
                .help("Bytes model runs copied between host memory and the execution device, by engine and direction "
                        + "(to_device, to_host); on the CPU provider, the bytes the same runs copy on a GPU")
                .labelNames("engine", "direction").callback(cb -> {
                    Map<String, long[]> byName = new java.util.TreeMap<>();
                    for (SpeechEngine e : engines) {
                        long[] sum = byName.computeIfAbsent(e.name(), k -> new long[2]);
                        sum[0] += e.bytesToDevice();
                        sum[1] += e.bytesToHost();
                    }
                    byName.forEach((name, sum) -> {
                        cb.call(sum[0], name, "to_device");
                        cb.call(sum[1], name, "to_host");
                    });
                }).register(registry);
        GaugeWithCallback.builder().name("asr_streams_active").help("Participant ASR streams open")
                .callback(cb -> cb.call(streamsActive.get())).register(registry);
        GaugeWithCallback.builder().name("asr_caption_subscribers").help("Caption subscribers connected")
                .callback(cb -> cb.call(subscribersActive.get())).register(registry);
    }

    /** Participant ASR streams open now. */
    public int streamsActive() {
        return streamsActive.get();
    }

    /** Gauges and counters read at scrape time from the live objects of one server. */
    public void bind(PrometheusRegistry registry, CallRegistry calls, MediaMetrics media, DistinctErrorLog errors) {
        GaugeWithCallback.builder().name("asr_calls_active").help("Calls live or ending")
                .callback(cb -> cb.call(calls.size())).register(registry);
        GaugeWithCallback.builder().name("asr_event_queue_depth")
                .help("Transcript events waiting for delivery, all calls")
                .callback(cb -> cb.call(calls.calls().stream().mapToInt(CallSession::queuedEvents).sum()))
                .register(registry);
        GaugeWithCallback.builder().name("asr_audio_pending_seconds")
                .help("Audio accepted by the engine but not yet recognised, all streams")
                .callback(cb -> cb.call(calls.calls().stream().mapToLong(CallSession::pendingSamples).sum() / 16000.0))
                .register(registry);
        CounterWithCallback.builder().name("asr_media_dropped_total")
                .help("Media and audio dropped, by component and reason").labelNames("component", "reason")
                .callback(cb -> {
                    for (Map.Entry<String, Map<String, Long>> c : media.drops().entrySet()) {
                        for (Map.Entry<String, Long> r : c.getValue().entrySet()) {
                            cb.call(r.getValue(), c.getKey(), r.getKey());
                        }
                    }
                }).register(registry);
        CounterWithCallback.builder().name("asr_media_events_total")
                .help("Media adapter counters (packets received, frames concealed, ...), by name").labelNames("name")
                .callback(cb -> media.counters().forEach((name, v) -> cb.call(v, name))).register(registry);
        CounterWithCallback.builder().name("asr_errors_total")
                .help("Errors caught at worker loops (each distinct error is logged once)")
                .callback(cb -> cb.call(errors.total())).register(registry);
    }

    /**
     * Reads an engine's host/device byte counters at scrape time, summed per engine name; a closed engine's counts
     * stay in the sum, so the counter never goes down.
     */
    public void watch(SpeechEngine engine) {
        if (!engines.contains(engine)) engines.add(engine);
    }

    /** Feeds the batch histograms from an engine's batch scheduler ({@link SpeechEngine#addBatchListener}). */
    public BatchListener batchListener(String engine) {
        return (size, nanos) -> {
            batchSize.labelValues(engine).observe(size);
            batchDuration.labelValues(engine).observe(nanos / 1e9);
        };
    }

    @Override
    public void callStarted(CallSession call) {
        callsStarted.labelValues(call.source()).inc();
    }

    @Override
    public void callFailed(CallSession call, String stage, Throwable error) {
        callsFailed.labelValues(stage).inc();
    }

    @Override
    public void callEnded(CallSession call, String reason, Duration duration) {
        callsEnded.labelValues(call.source(), reason).inc();
        callDuration.observe(duration.toMillis() / 1000.0);
    }

    @Override
    public void streamOpened(CallSession call, String participantId) {
        streamsOpened.inc();
        streamsActive.incrementAndGet();
    }

    @Override
    public void streamClosed(CallSession call, String participantId, long audioMillis, boolean flushed) {
        streamsActive.decrementAndGet();
        streamAudio.inc(audioMillis / 1000.0);
    }

    @Override
    public void transcript(CallSession call, TranscriptEvent event, long latencyNanos) {
        transcripts.labelValues(event.isFinal() ? "final" : "partial").inc();
        if (!event.isFinal() && latencyNanos >= 0) chunkLatency.observe(latencyNanos / 1e9);
    }

    @Override
    public void subscriberOpened(String callId) {
        subscribersOpened.inc();
        subscribersActive.incrementAndGet();
    }

    @Override
    public void subscriberClosed(String callId, String reason, boolean evicted) {
        subscribersActive.decrementAndGet();
        if (evicted) subscribersEvicted.inc();
    }
}
