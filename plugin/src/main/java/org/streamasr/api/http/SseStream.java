package org.streamasr.api.http;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.glassfish.grizzly.WriteHandler;
import org.glassfish.grizzly.http.io.OutputBuffer;
import org.streamasr.api.ApiError;
import org.streamasr.api.ApiMetrics;

/**
 * A server-sent event stream on a suspended response. Every write happens on the single events thread, never
 * blocks (a client that cannot take more gets nothing until Grizzly says it can; a client stalled past the limit is
 * disconnected), and data events offered with {@link #offerLatest} are coalesced: only the newest pending one is
 * sent, which is right for transcripts where each event carries the whole text so far. Events given to
 * {@link #finish} are always sent. Headers are committed with the first event or the first heartbeat, so a request
 * that fails early still gets a plain HTTP error.
 */
final class SseStream {
    private static final int MAX_QUEUED = 64;
    private final HttpExchange ex;
    private final ScheduledExecutorService events;
    private final long heartbeatNanos;
    private final long stalledNanos;
    private final ApiMetrics metrics;
    private final Runnable onGone;
    private final Runnable onStop;
    private final Map<String, String> headers;

    // touched from other threads: guarded by this
    private String latest;
    private final Deque<String> queued = new ArrayDeque<>();
    private boolean finishing;
    private ApiError failure;

    // events thread only
    private final AtomicBoolean flushScheduled = new AtomicBoolean();
    private boolean committed;
    private boolean closed;
    private boolean waitingForWrite;
    private long lastWriteNanos;
    private long stalledSinceNanos = -1;
    private ScheduledFuture<?> ticker;

    SseStream(HttpExchange ex, ScheduledExecutorService events, long heartbeatNanos, long stalledNanos,
              ApiMetrics metrics, Map<String, String> headers, Runnable onGone, Runnable onStop) {
        this.ex = ex;
        this.events = events;
        this.heartbeatNanos = heartbeatNanos;
        this.stalledNanos = stalledNanos;
        this.metrics = metrics;
        this.headers = headers;
        this.onGone = onGone;
        this.onStop = onStop;
    }

    /** Claims the exchange and starts the heartbeat; false if the exchange was already answered. */
    boolean start() {
        if (!ex.claim()) return false;
        lastWriteNanos = System.nanoTime();
        long period = Math.max(TimeUnit.MILLISECONDS.toNanos(100), heartbeatNanos / 4);
        try {
            ticker = events.scheduleAtFixedRate(this::tick, period, period, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            closed = true;
            onStop.run();
            ApiError busy = ApiError.plain(503, "runner_scheduling_failure", "the server is shutting down; retry shortly");
            ex.send(busy.status(), busy.body().toString(), Map.of("X-Fal-Error-Type", busy.errorType()));
            return false;
        }
        ex.onClientGone(() -> runOnEvents(this::clientGone));
        return true;
    }

    /** Queues a data event that replaces any pending coalescible one. Never blocks. */
    void offerLatest(String json) {
        synchronized (this) {
            if (finishing) return;
            latest = json;
        }
        scheduleFlush();
    }

    /** Queues a data event that is always sent (after any pending one). Never blocks. */
    void offer(String json) {
        synchronized (this) {
            if (finishing) return;
            if (latest != null) queued.add(latest);
            latest = null;
            if (queued.size() >= MAX_QUEUED) queued.pollFirst();
            queued.add(json);
        }
        scheduleFlush();
    }

    /** Sends the last events (after any pending one) and ends the stream. */
    void finish(String... finalEvents) {
        synchronized (this) {
            if (finishing) return;
            finishing = true;
            if (latest != null) queued.add(latest);
            latest = null;
            for (String e : finalEvents) queued.add(e);
        }
        scheduleFlush();
    }

    /** Ends the stream with an error: a plain HTTP error if nothing was sent yet, else an {@code error} event. */
    void fail(ApiError e) {
        synchronized (this) {
            if (finishing) return;
            finishing = true;
            failure = e;
        }
        scheduleFlush();
    }

    private void scheduleFlush() {
        if (flushScheduled.compareAndSet(false, true)) {
            runOnEvents(() -> {
                flushScheduled.set(false);
                flush();
            });
        }
    }

    private void runOnEvents(Runnable r) {
        try {
            events.execute(r);
        } catch (RejectedExecutionException e) {
            // shutting down: the exchange is finished by close()
        }
    }

    private void flush() {
        if (closed) return;
        java.util.List<String> data = new java.util.ArrayList<>();
        boolean end;
        ApiError err;
        synchronized (this) {
            data.addAll(queued);
            queued.clear();
            if (latest != null) data.add(latest);
            latest = null;
            end = finishing;
            err = failure;
        }
        if (err != null && !committed) {
            stop();
            ex.send(err.status(), err.body().toString(), Map.of("X-Fal-Error-Type", err.errorType()));
            return;
        }
        OutputBuffer out = ex.response.getOutputBuffer();
        try {
            commit();
            if (!out.canWrite()) {
                synchronized (this) {
                    for (int i = data.size() - 1; i >= 0; i--) queued.addFirst(data.get(i));
                }
                awaitWritable(out);
                return;
            }
            StringBuilder sb = new StringBuilder();
            for (String e : data) sb.append("data: ").append(e).append("\n\n");
            if (end && err != null) sb.append("event: error\ndata: ").append(err.body()).append("\n\n");
            if (sb.length() > 0) write(out, sb.toString());
            if (end) {
                stop();
                ex.finish();
            }
        } catch (IOException | RuntimeException e) {
            clientGone();
        }
    }

    private void commit() throws IOException {
        if (committed) return;
        committed = true;
        ex.response.setStatus(200, "OK");
        ex.contentType("text/event-stream;charset=utf-8");
        ex.response.setHeader("Cache-Control", "no-cache");
        ex.response.setHeader("X-Accel-Buffering", "no");
        for (Map.Entry<String, String> h : headers.entrySet()) ex.response.setHeader(h.getKey(), h.getValue());
        ex.response.getOutputBuffer().flush();
    }

    private void write(OutputBuffer out, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.write(b, 0, b.length);
        out.flush();
        lastWriteNanos = System.nanoTime();
        stalledSinceNanos = -1;
    }

    private void awaitWritable(OutputBuffer out) {
        if (stalledSinceNanos < 0) stalledSinceNanos = System.nanoTime();
        if (waitingForWrite) return;
        waitingForWrite = true;
        out.notifyCanWrite(new WriteHandler() {
            @Override
            public void onWritePossible() {
                runOnEvents(() -> {
                    waitingForWrite = false;
                    flush();
                });
            }

            @Override
            public void onError(Throwable t) {
                runOnEvents(() -> {
                    waitingForWrite = false;
                    clientGone();
                });
            }
        });
    }

    private void tick() {
        if (closed) return;
        long now = System.nanoTime();
        if (stalledSinceNanos >= 0 && now - stalledSinceNanos > stalledNanos) {
            metrics.stalledClients.inc();
            clientGone();
            ex.connection.closeSilently();
            return;
        }
        if (now - lastWriteNanos < heartbeatNanos || waitingForWrite) return;
        try {
            commit();
            OutputBuffer out = ex.response.getOutputBuffer();
            if (out.canWrite()) write(out, ": keep-alive\n\n");
            else awaitWritable(out);
        } catch (IOException | RuntimeException e) {
            clientGone();
        }
    }

    /** The client went away (or stopped reading): stop and tell the owner once. */
    private void clientGone() {
        if (closed) return;
        stop();
        ex.finish();
        onGone.run();
    }

    /** Ends the stream without writing anything more (server shutdown). */
    void abort() {
        runOnEvents(() -> {
            if (closed) return;
            stop();
            ex.finish();
        });
    }

    private void stop() {
        if (closed) return;
        closed = true;
        if (ticker != null) ticker.cancel(false);
        onStop.run();
    }
}
