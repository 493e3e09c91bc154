package org.streamasr.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streamasr.media.adapter.Poll;
import org.streamasr.runtime.NamedThreads;
import org.streamasr.server.AsrServer;
import org.streamasr.server.ServerConfig;
import org.streamasr.testing.Http;

/**
 * The pool {@code asr-api-store} that makes a client's calls on JetStream, made tiny (one thread, one waiting) and
 * held by a NATS server that stops answering (SIGSTOP): a call that finds it full is answered 503 store_busy at once
 * (the claim of an upload URL included: it never waits on a network thread), and a submission still waiting for the
 * thread when its submit timeout is up is answered 503 submit_timeout then, and is never stored.
 */
class StoreCallPoolTest {
    private static final String QUEUE = "/queue/nvidia/nemotron-asr-multilingual/asr";
    private static final String REQUESTS = "/queue/nvidia/nemotron-asr-multilingual/requests/";
    private static final String INPUT = "{\"audio_url\": \"data:audio/wav;base64,AAAA\"}";

    private final ExecutorService clients = Executors.newCachedThreadPool(NamedThreads.factory("test-client", true));

    @AfterEach
    void stopClients() {
        clients.shutdownNow();
    }

    @Test
    void aFullStoreCallPoolAnswers503StoreBusyAtOnceAndServesAgainOnceFree(@TempDir Path dir) throws Exception {
        try (NatsServerProcess nats = NatsServerProcess.start(dir);
             AsrServer server = AsrServer.start(node(nats, Map.of()));
             Http http = new Http(server.baseUri())) {
            Http.Reply submitted = http.post(QUEUE, INPUT);
            assertEquals(200, submitted.status(), submitted.body());
            String status = REQUESTS + submitted.json().get("request_id").asText() + "/status";
            Http.Reply initiated = http.post("/storage/upload/initiate", "{\"file_name\": \"a.wav\"}");
            assertEquals(200, initiated.status(), initiated.body());
            String uploadUrl = initiated.json().get("upload_url").asText();

            CompletableFuture<Http.Reply> running;
            CompletableFuture<Http.Reply> waiting;
            nats.freeze();
            try {
                running = getLater(server, status);
                awaitGauge(http, "asr_api_store_calls_running", 1);
                waiting = getLater(server, status);
                awaitGauge(http, "asr_api_store_calls_waiting", 1);

                assertStoreBusy(http.get(status));
                assertStoreBusy(http.putBytes(uploadUrl, new byte[] {1, 2, 3, 4}, "audio/wav"));
                assertStoreBusy(http.post(QUEUE, INPUT));
                assertEquals(3.0, metric(http, "asr_api_requests_rejected_total{reason=\"store_busy\"}"));
                assertFalse(running.isDone() || waiting.isDone(), "both still wait on JetStream");
            } finally {
                nats.thaw();
            }
            for (CompletableFuture<Http.Reply> held : List.of(running, waiting)) {
                Http.Reply r = held.get(30, TimeUnit.SECONDS);
                assertTrue(r.status() == 200 || r.status() == 202, r.status() + " " + r.body());
            }
            Http.Reply put = http.putBytes(uploadUrl, new byte[] {1, 2, 3, 4}, "audio/wav");
            assertEquals(200, put.status(), "the refused PUT did not use up the upload URL: " + put.body());
            Http.Reply again = http.post(QUEUE, INPUT);
            assertEquals(200, again.status(), again.body());
        }
    }

    @Test
    void aSubmissionStillWaitingForAThreadAtItsSubmitTimeoutIsRefusedThenAndNeverStored(@TempDir Path dir)
            throws Exception {
        try (NatsServerProcess nats = NatsServerProcess.start(dir);
             AsrServer server = AsrServer.start(node(nats, Map.of("asr.cluster.submit-timeout", "1s")));
             Http http = new Http(server.baseUri())) {
            CompletableFuture<Http.Reply> holder;
            nats.freeze();
            try {
                holder = getLater(server, REQUESTS + UUID.randomUUID() + "/status");
                awaitGauge(http, "asr_api_store_calls_running", 1);
                CompletableFuture<Http.Reply> submission = CompletableFuture.supplyAsync(
                        () -> call(server, h -> h.post(QUEUE, INPUT)), clients);
                awaitGauge(http, "asr_api_store_calls_waiting", 1);

                Http.Reply refused = submission.get(20, TimeUnit.SECONDS);
                assertEquals(503, refused.status(), refused.body());
                assertEquals("submit_timeout", refused.json().get("error_type").asText(), refused.body());
                assertEquals("1", refused.headers().firstValue("Retry-After").orElse(null));
                assertFalse(holder.isDone(), "answered while the pool's one thread was still held");
                assertEquals(1.0, metric(http, "asr_api_requests_rejected_total{reason=\"submit_timeout\"}"));
            } finally {
                nats.thaw();
            }
            holder.get(30, TimeUnit.SECONDS);
            // the one thread takes the refused submission's call before this one's, and drops it
            Http.Reply accepted = http.post(QUEUE, INPUT);
            assertEquals(200, accepted.status(), accepted.body());
            try (io.nats.client.Connection nc = io.nats.client.Nats.connect(nats.url())) {
                assertEquals(List.of(accepted.json().get("request_id").asText()), nc.keyValue("asr-jobs").keys(),
                        "the refused submission left no record");
            }
        }
    }

    /** One node on {@code nats} with a store-call pool of one thread and one waiting call. */
    private static ServerConfig node(NatsServerProcess nats, Map<String, Object> more) {
        Map<String, Object> settings = new HashMap<>(Map.of("asr.engine.name", "sphinx", "asr.api.open", true,
                "asr.api.workers", 1, "asr.cluster.nats.url", nats.url(), "asr.cluster.node-id", "solo",
                "asr.api.store-call-threads", 1, "asr.api.store-call-queue", 1,
                // a read on the frozen server waits this long (the JetStream request timeout): longer than the test
                "asr.cluster.connect-timeout", "20s"));
        settings.putAll(more);
        return org.streamasr.testing.TestServers.config(settings);
    }

    private interface Request {
        Http.Reply send(Http http) throws Exception;
    }

    private static Http.Reply call(AsrServer server, Request request) {
        try (Http h = new Http(server.baseUri())) {
            return request.send(h);
        } catch (Exception e) {
            throw new CompletionException(e);
        }
    }

    private CompletableFuture<Http.Reply> getLater(AsrServer server, String path) {
        return CompletableFuture.supplyAsync(() -> call(server, h -> h.get(path)), clients);
    }

    private static void assertStoreBusy(Http.Reply r) {
        assertEquals(503, r.status(), r.body());
        assertEquals("1", r.headers().firstValue("Retry-After").orElse(null), "503 says when to retry");
        assertEquals("runner_scheduling_failure", r.json().get("error_type").asText(), r.body());
    }

    /** {@code GET /metrics} never waits on JetStream: it answers while the server is frozen. */
    private static double metric(Http http, String sample) throws Exception {
        return http.get("/metrics").body().lines().filter(l -> l.startsWith(sample + " "))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).findFirst().orElse(0);
    }

    private static void awaitGauge(Http http, String gauge, double value) {
        Poll.until(() -> {
            try {
                return metric(http, gauge) == value;
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }, Duration.ofSeconds(10), () -> gauge + " reaching " + value);
    }
}
