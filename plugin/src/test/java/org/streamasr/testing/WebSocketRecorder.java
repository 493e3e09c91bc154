package org.streamasr.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A WebSocket client that records what it receives, in order, for assertions (OkHttp's {@code WebSocketRecorder}):
 * text messages, the close (code and reason) and failures. {@link #reading(boolean)} false stops reading from the
 * socket (the JDK client then applies TCP back-pressure), which makes a slow consumer.
 */
public final class WebSocketRecorder implements WebSocket.Listener, AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One recorded event: a message, a close, or a failure. */
    public record Event(String text, Integer closeCode, String closeReason, Throwable failure) {
    }

    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final ExecutorService executor = Executors.newSingleThreadExecutor(r -> new Thread(r, "ws-recorder"));
    private final StringBuilder partialText = new StringBuilder();
    private volatile boolean reading = true;
    private volatile WebSocket socket;

    public static WebSocketRecorder connect(URI uri) throws Exception {
        WebSocketRecorder r = new WebSocketRecorder();
        HttpClient client = HttpClient.newBuilder().executor(r.executor).build();
        try {
            r.socket = client.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10))
                    .buildAsync(uri, r).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            r.executor.shutdownNow();
            throw e;
        }
        return r;
    }

    /** Whether the client asks the socket for more messages. */
    public void reading(boolean value) {
        boolean resume = value && !reading;
        reading = value;
        if (resume && socket != null) socket.request(1);
    }

    @Override
    public void onOpen(WebSocket webSocket) {
        webSocket.request(1);
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        partialText.append(data);
        if (last) {
            events.add(new Event(partialText.toString(), null, null, null));
            partialText.setLength(0);
        }
        if (reading) webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        events.add(new Event(null, statusCode, reason, null));
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        events.add(new Event(null, null, null, error));
    }

    /** The next event, or an assertion error after {@code timeout}. */
    public Event next(Duration timeout) throws InterruptedException {
        Event e = events.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        assertNotNull(e, "nothing received within " + timeout);
        return e;
    }

    /** The next event as a JSON message, or an assertion error (a close or failure instead, or nothing). */
    public JsonNode nextJson(Duration timeout) throws InterruptedException, IOException {
        Event e = next(timeout);
        if (e.text() == null) {
            throw new AssertionError("expected a message, got " + (e.failure() != null ? "failure " + e.failure()
                    : "close " + e.closeCode() + " " + e.closeReason()));
        }
        return JSON.readTree(e.text());
    }

    /** Skips messages until the close; returns it. */
    public Event awaitClose(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            Event e = events.poll(Math.max(0, left), TimeUnit.NANOSECONDS);
            if (e == null) throw new AssertionError("no close within " + timeout);
            if (e.closeCode() != null || e.failure() != null) return e;
        }
    }

    public void assertClosed(int code, Duration timeout) throws InterruptedException {
        Event e = next(timeout);
        assertEquals(code, e.closeCode(), "close code (event " + e + ")");
    }

    /** The next event already received, or null: never waits. */
    public Event poll() {
        return events.poll();
    }

    /** Nothing more received within {@code quiet}. */
    public boolean isQuiet(Duration quiet) throws InterruptedException {
        return events.poll(quiet.toMillis(), TimeUnit.MILLISECONDS) == null;
    }

    /** Sends one whole text message (one frame). */
    public CompletableFuture<WebSocket> sendText(String text) {
        return socket.sendText(text, true);
    }

    public CompletableFuture<WebSocket> sendClose() {
        return socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye");
    }

    @Override
    public void close() {
        WebSocket s = socket;
        if (s != null && !s.isOutputClosed()) {
            try {
                s.sendClose(WebSocket.NORMAL_CLOSURE, "test done").get(2, TimeUnit.SECONDS);
            } catch (Exception e) {
                s.abort();
            }
        }
        if (s != null) s.abort();
        executor.shutdownNow();
    }
}
