package org.streamasr.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.function.BooleanSupplier;
import org.glassfish.grizzly.http.server.HttpServer;
import org.glassfish.grizzly.http.server.NetworkListener;
import org.streamasr.engine.SpeechEngine;
import org.streamasr.media.wav.WavFile;

/**
 * A Grizzly server on an ephemeral port with a {@link HostedApi} installed, for tests; restartable on the same store
 * directory. Config: reference.conf (config/reference.conf, on the classpath) with the test's overrides.
 */
final class ApiServer implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String MODEL = "/nvidia/nemotron-asr-multilingual/asr";
    static final String QUEUE = "/queue/nvidia/nemotron-asr-multilingual";
    static final String KEY = "test-key-1";

    final SpeechEngine engine;
    final Path storeDir;
    final String overrides;
    final HttpServer server;
    final java.util.concurrent.ExecutorService clientThreads = java.util.concurrent.Executors.newCachedThreadPool();
    final HttpClient http = HttpClient.newBuilder().executor(clientThreads).connectTimeout(Duration.ofSeconds(5)).build();
    PrometheusRegistry registry = new PrometheusRegistry();
    /** Added to the wall clock the API sees (expiry tests move time forward instead of waiting). */
    final java.util.concurrent.atomic.AtomicLong skewMillis = new java.util.concurrent.atomic.AtomicLong();
    HostedApi api;

    ApiServer(SpeechEngine engine, Path storeDir, String overrides) throws IOException {
        this.engine = engine;
        this.storeDir = storeDir;
        this.overrides = overrides;
        server = new HttpServer();
        server.addListener(new NetworkListener("test", "127.0.0.1", 0));
        server.start();
        api = newApi();
        api.install(server);
    }

    private HostedApi newApi() throws IOException {
        return new HostedApi(config(storeDir, overrides), engine, registry, () -> System.currentTimeMillis() + skewMillis.get());
    }

    static ApiConfig config(Path storeDir, String overrides) {
        Config reference = ConfigFactory.parseResources(ApiServer.class.getClassLoader(), "reference.conf");
        Config c = ConfigFactory.parseString("asr.api.store-dir = \"" + storeDir + "\"\n"
                        + "asr.api.keys = [\"" + KEY + "\"]\n"
                        + "asr.api.fetch.allow-private-addresses = true\n" + overrides)
                .withFallback(reference).resolve();
        return ApiConfig.from(c, null);
    }

    int port() {
        return server.getListener("test").getPort();
    }

    String base() {
        return "http://127.0.0.1:" + port();
    }

    /** Closes the API (graceful, as on shutdown) and starts a new one on the same store and port. */
    void restart() throws IOException {
        api.close();
        registry = new PrometheusRegistry();
        api = newApi();
        api.install(server);
    }

    HttpResponse<String> send(String method, String path, String body, String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(path.startsWith("http") ? path : base() + path))
                .timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        boolean auth = true;
        for (int i = 0; i < headers.length; i += 2) {
            if (headers[i].equalsIgnoreCase("Authorization")) auth = false;
            b.header(headers[i], headers[i + 1]);
        }
        if (auth) b.header("Authorization", "Key " + KEY);
        if (body != null) b.header("Content-Type", "application/json");
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> post(String path, String body, String... headers) throws IOException, InterruptedException {
        return send("POST", path, body, headers);
    }

    HttpResponse<String> get(String path, String... headers) throws IOException, InterruptedException {
        return send("GET", path, null, headers);
    }

    /** Submits to the queue and returns the request id. */
    String submit(String input, String... headers) throws IOException, InterruptedException {
        HttpResponse<String> r = post("/queue" + MODEL, input, headers);
        if (r.statusCode() != 200) throw new AssertionError("submit: " + r.statusCode() + " " + r.body());
        return json(r).get("request_id").asText();
    }

    JsonNode status(String id) throws IOException, InterruptedException {
        return json(get(QUEUE + "/requests/" + id + "/status?logs=1"));
    }

    /** Polls the status until COMPLETED and returns it. */
    JsonNode awaitCompleted(String id) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            JsonNode s = status(id);
            if ("COMPLETED".equals(s.path("status").asText())) return s;
            if (System.nanoTime() > deadline) throw new AssertionError("request " + id + " did not complete: " + s);
            Thread.sleep(20);
        }
    }

    /** The value of a counter or gauge sample in the registry (0 when absent). */
    double metric(String name, String... labels) {
        for (var snapshot : registry.scrape()) {
            if (!snapshot.getMetadata().getPrometheusName().equals(name.replaceAll("_total$", ""))
                    && !snapshot.getMetadata().getName().equals(name.replaceAll("_total$", ""))) continue;
            for (var dp : snapshot.getDataPoints()) {
                boolean match = true;
                for (int i = 0; i < labels.length; i += 2) {
                    if (!labels[i + 1].equals(dp.getLabels().get(labels[i]))) match = false;
                }
                if (!match) continue;
                if (dp instanceof io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot c) return c.getValue();
                if (dp instanceof io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot g) return g.getValue();
            }
        }
        return 0;
    }

    static JsonNode json(HttpResponse<String> r) throws IOException {
        return JSON.readTree(r.body());
    }

    /** A 16 kHz mono WAV of {@code seconds} of a 440 Hz tone as a data: URI. */
    static String toneDataUri(double seconds) {
        return "data:audio/wav;base64," + Base64.getEncoder().encodeToString(tone(seconds).toBytes());
    }

    static WavFile tone(double seconds) {
        short[] s = new short[(int) (seconds * 16000)];
        for (int i = 0; i < s.length; i++) s[i] = (short) (8000 * Math.sin(2 * Math.PI * 440 * i / 16000.0));
        return new WavFile(16000, 1, s);
    }

    static String input(String audioUrl) {
        return "{\"audio_url\": \"" + audioUrl + "\"}";
    }

    /** Polls {@code condition} until true or the deadline (no sleeping on behaviour: a bounded poll). */
    static void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for " + what);
            Thread.sleep(20);
        }
    }

    @Override
    public void close() {
        api.close();
        server.shutdownNow();
        clientThreads.shutdownNow();
    }
}
