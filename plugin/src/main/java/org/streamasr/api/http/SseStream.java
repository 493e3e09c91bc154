package org.streamasr.api.http;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.glassfish.grizzly.WriteHandler;
import org.glassfish.grizzly.http.io.OutputBuffer;
import org.streamasr.api.ApiError;
import org.streamasr.api.ApiMetrics;
import org.streamasr.runtime.BoundedSender;

/**
 * A server-sent event stream on a suspended response, its events queued in the runtime kit's {@link BoundedSender}.
 * Every write happens on the single events thread and never blocks (a client that cannot take more gets nothing until
 * Grizzly says it can; a client stalled past the limit is disconnected), and data events offered with
 * {@link #offerLatest} are coalesced: only the newest pending one is sent, which is right for transcripts where each
 * event carries the whole text so far. Events given to {@link #offer} and {@link #finish} are always sent (a client
 * with more than {@value #MAX_QUEUED} of them waiting is disconnected). Headers are committed with the first event or
 * the first heartbeat, so a request that fails early still gets a plain HTTP error.
 */
final class SseStream {
    private static final int MAX_QUEUED = 64;
    private static final String LATEST = "latest";
    private static final String HEARTBEAT = ": keep-alive\n\n";
    private static final int CLOSE_DONE = 1000;
    private static final int CLOSE_STALLED = 1008;
    private static final int CLOSE_ABORTED = 1001;

    private final HttpExchange ex;
    private final ScheduledExecutorService events;
    private final long heartbeatNanos;
    private final ApiMetrics metrics;
    private final Runnable onGone;
    private final Runnable onStop;
    private final Map<String, String> headers;
    private final BoundedSender sender;

    // touched from other threads: guarded by this
    private String failureFrame;
    private ApiError failure;

    // events thread only
    private boolean committed;
    private boolean closed;
    private long lastWriteNanos;
    private ScheduledFuture<?> ticker;

    SseStream(HttpExchange ex, ScheduledExecutorService events, long heartbeatNanos, long stalledNanos,
              ApiMetrics metrics, Map<String, String> headers, Runnable onGone, Runnable onStop) {
        this.ex = ex;
        this.events = events;
        this.heartbeatNanos = heartbeatNanos;
        this.metrics = metrics;
        this.headers = headers;
        this.onGone = onGone;
        this.onStop = onStop;
        BoundedSender.Policy policy = new BoundedSender.Policy(Long.MAX_VALUE, MAX_QUEUED, true, false, CLOSE_STALLED,
                (messages, size) -> "client too slow: " + messages + " events not yet sent", stalledNanos, 0);
        this.sender = new BoundedSender(new BoundedSender.Transport() {
            @Override
            public void send(String text, Consumer<Throwable> done) {
                runOnEvents(() -> write(text, done));
            }

            @Override
            public void close(int code, String reason) {
                runOnEvents(() -> closed(code));
            }
        }, policy, System::nanoTime, new BoundedSender.Listener() {
            @Override
            public void closed(BoundedSender.Closed why) {
                if (why.cause() == BoundedSender.Cause.SEND_FAILED) runOnEvents(SseStream.this::clientGone);
            }
        });
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
            sender.peerGone("shutting down");
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
        String frame = frame(json);
        sender.offer(frame, frame.length(), true, LATEST);
    }

    /** Queues a data event that is always sent (after any pending one). Never blocks. */
    void offer(String json) {
        String frame = frame(json);
        sender.offer(frame, frame.length(), false, LATEST);
    }

    /** Sends the last events (after any pending one) and ends the stream. */
    void finish(String... finalEvents) {
        StringBuilder last = new StringBuilder();
        for (String e : finalEvents) last.append(frame(e));
        sender.finish(last.length() == 0 ? null : last.toString(), last.length(), CLOSE_DONE, "finished");
    }

    /** Ends the stream with an error: a plain HTTP error if nothing was sent yet, else an {@code error} event. */
    void fail(ApiError e) {
        String frame = "event: error\ndata: " + e.body() + "\n\n";
        synchronized (this) {
            if (failure != null) return;
            failure = e;
            failureFrame = frame;
        }
        sender.finish(frame, frame.length(), CLOSE_DONE, "failed");
    }

    private static String frame(String json) {
        return "data: " + json + "\n\n";
    }

    private void runOnEvents(Runnable r) {
        try {
            events.execute(r);
        } catch (RejectedExecutionException e) {
            // shutting down: the exchange is finished by abort()
        }
    }

    /** Writes one queued event (events thread); {@code done} once it is written. */
    private void write(String text, Consumer<Throwable> done) {
        if (closed) {
            done.accept(new IOException("stream closed"));
            return;
        }
        ApiError err;
        synchronized (this) {
            err = text == failureFrame ? failure : null;   // identity: the frame fail() queued
        }
        if (err != null && !committed) {
            stop();
            ex.send(err.status(), err.body().toString(), Map.of("X-Fal-Error-Type", err.errorType()));
            done.accept(null);
            return;
        }
        OutputBuffer out = ex.response.getOutputBuffer();
        try {
            commit();
            if (out.canWrite()) {
                writeNow(out, text);
                done.accept(null);
                return;
            }
            out.notifyCanWrite(new WriteHandler() {
                @Override
                public void onWritePossible() {
                    runOnEvents(() -> {
                        if (closed) {
                            done.accept(new IOException("stream closed"));
                            return;
                        }
                        try {
                            writeNow(out, text);
                            done.accept(null);
                        } catch (IOException | RuntimeException e) {
                            done.accept(e);
                        }
                    });
                }

                @Override
                public void onError(Throwable t) {
                    runOnEvents(() -> done.accept(t));
                }
            });
        } catch (IOException | RuntimeException e) {
            done.accept(e);
        }
    }

    /** The sender closed (events thread): finished, stalled past the limit, or aborted. */
    private void closed(int code) {
        if (closed) return;
        if (code == CLOSE_STALLED) {
            metrics.stalledClients.inc();
            clientGone();
            ex.connection.closeSilently();
            return;
        }
        try {
            if (code == CLOSE_DONE) commit();   // a stream that ends before any event is still an event stream
        } catch (IOException | RuntimeException e) {
            clientGone();
            return;
        }
        stop();
        ex.finish();
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

    private void writeNow(OutputBuffer out, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.write(b, 0, b.length);
        out.flush();
        lastWriteNanos = System.nanoTime();
    }

    /** The stall check and the heartbeat (a comment line, queued like an event so it never overtakes one). */
    private void tick() {
        if (closed) return;
        if (sender.evictIfSendStuck()) return;
        if (System.nanoTime() - lastWriteNanos < heartbeatNanos || sender.queuedMessages() > 0) return;
        lastWriteNanos = System.nanoTime();
        sender.offer(HEARTBEAT, HEARTBEAT.length(), true, "heartbeat");
    }

    /** The client went away (or stopped reading): stop and tell the owner once. */
    private void clientGone() {
        if (closed) return;
        sender.peerGone("client gone");
        stop();
        ex.finish();
        onGone.run();
    }

    /** Ends the stream without writing anything more (server shutdown). */
    void abort() {
        sender.closeNow(CLOSE_ABORTED, "server shutting down");
    }

    private void stop() {
        if (closed) return;
        closed = true;
        if (ticker != null) ticker.cancel(false);
        onStop.run();
    }
}
