package org.streamasr.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** A small HTTP client for tests (JDK client on its own executor, shut down on close). */
public final class Http implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A response: status, body, and the body as JSON when it is JSON. */
    public record Reply(int status, String body, java.net.http.HttpHeaders headers) {
        public JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + body, e);
            }
        }
    }

    private final URI base;
    private final ExecutorService executor = Executors.newSingleThreadExecutor(r -> new Thread(r, "test-http"));
    private final HttpClient client = HttpClient.newBuilder().executor(executor)
            .connectTimeout(Duration.ofSeconds(5)).build();

    public Http(URI base) {
        this.base = base;
    }

    public Reply get(String path, String... headers) throws Exception {
        return send(builder(path, headers).GET());
    }

    public Reply post(String path, String body, String... headers) throws Exception {
        return send(builder(path, headers).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    public Reply delete(String path, String... headers) throws Exception {
        return send(builder(path, headers).DELETE());
    }

    public Reply put(String path, String body) throws Exception {
        return send(builder(path).PUT(HttpRequest.BodyPublishers.ofString(body)));
    }

    /** A request without a body ({@code PUT .../cancel}). */
    public Reply send(String method, String path, String... headers) throws Exception {
        return send(builder(path, headers).method(method, HttpRequest.BodyPublishers.noBody()));
    }

    public Reply putBytes(String path, byte[] body, String contentType) throws Exception {
        return send(builder(path, "Content-Type", contentType).PUT(HttpRequest.BodyPublishers.ofByteArray(body)));
    }

    private HttpRequest.Builder builder(String path, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(20));
        for (int i = 0; i + 1 < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
        return b;
    }

    private Reply send(HttpRequest.Builder b) throws Exception {
        HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
        return new Reply(r.statusCode(), r.body(), r.headers());
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
