package org.streamasr.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.streamasr.runtime.NamedThreads;

/**
 * A caption subscriber: connects to a call's captionsUrl and hands each JSON event to a consumer as it arrives;
 * keeps the finals. {@link #closed()} completes with the close reason when the server ends the stream.
 */
public final class CaptionsClient implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ExecutorService pool = Executors.newSingleThreadExecutor(NamedThreads.single("captions-client", true));
    private final List<JsonNode> finals = new CopyOnWriteArrayList<>();
    private final CompletableFuture<String> closed = new CompletableFuture<>();
    private final StringBuilder pending = new StringBuilder();
    private final WebSocket socket;
    private volatile int partials;

    private CaptionsClient(URI captionsUrl, Consumer<JsonNode> onEvent) throws Exception {
        HttpClient client = HttpClient.newBuilder().executor(pool).build();
        socket = client.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10))
                .buildAsync(captionsUrl, new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                        pending.append(data);
                        if (last) {
                            handle(pending.toString(), onEvent);
                            pending.setLength(0);
                        }
                        ws.request(1);
                        return null;
                    }

                    @Override
                    public CompletionStage<?> onClose(WebSocket ws, int code, String reason) {
                        closed.complete(code + (reason.isEmpty() ? "" : " " + reason));
                        return null;
                    }

                    @Override
                    public void onError(WebSocket ws, Throwable error) {
                        closed.complete("error: " + error);
                    }
                }).get(10, TimeUnit.SECONDS);
    }

    public static CaptionsClient connect(URI captionsUrl, Consumer<JsonNode> onEvent) throws Exception {
        return new CaptionsClient(captionsUrl, onEvent);
    }

    private void handle(String text, Consumer<JsonNode> onEvent) {
        JsonNode event;
        try {
            event = JSON.readTree(text);
        } catch (IOException e) {
            return;
        }
        String type = event.path("type").asText();
        if (type.equals("final")) finals.add(event);
        else if (type.equals("partial")) partials++;
        onEvent.accept(event);
    }

    public List<JsonNode> finals() {
        return List.copyOf(finals);
    }

    public int partialCount() {
        return partials;
    }

    /** Completes with "code reason" when the server closes the captions stream. */
    public CompletableFuture<String> closed() {
        return closed;
    }

    @Override
    public void close() {
        if (!socket.isOutputClosed()) {
            try {
                socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(2, TimeUnit.SECONDS);
            } catch (Exception e) {
                socket.abort();
            }
        }
        pool.shutdownNow();
    }
}
