package org.streamasr.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streamasr.media.adapter.Poll;
import org.streamasr.server.AsrServer;
import org.streamasr.testing.Http;
import org.streamasr.testing.TestServers;

/**
 * A queue request running on node a (stuck fetching its audio from a server that never answers) is cancelled
 * through node b: node a stops it, and both nodes then show it completed with the cancel's 499.
 */
class ClusterCancelTest {
    private static final String REQUESTS = "/queue/nvidia/nemotron-asr-multilingual/requests/";

    private static AsrServer node(String id, String natsUrl) throws Exception {
        return AsrServer.start(TestServers.config(Map.of("asr.engine.name", "sphinx", "asr.api.open", true,
                "asr.api.workers", 1, "asr.api.fetch.allow-private-addresses", true, "asr.cluster.nats.url", natsUrl,
                "asr.cluster.node-id", id)));
    }

    @Test
    void aRequestRunningOnOneNodeIsCancelledThroughAnother(@TempDir Path dir) throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        ExecutorService stallThreads = Executors.newFixedThreadPool(2, r -> new Thread(r, "test-stall"));
        HttpServer stall = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 10);
        stall.setExecutor(stallThreads);
        stall.createContext("/slow.wav", ex -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            ex.close();
        });
        stall.start();
        try (NatsServerProcess nats = NatsServerProcess.start(dir);
             AsrServer a = node("a", nats.url());
             Http httpA = new Http(a.baseUri())) {
            Http.Reply submitted = httpA.post("/queue/nvidia/nemotron-asr-multilingual/asr",
                    "{\"audio_url\": \"http://127.0.0.1:" + stall.getAddress().getPort() + "/slow.wav\"}");
            assertEquals(200, submitted.status(), submitted.body());
            String id = submitted.json().get("request_id").asText();
            Poll.until(() -> "IN_PROGRESS".equals(status(httpA, id).path("status").asText()), Duration.ofSeconds(20),
                    () -> "node a running the request");
            try (AsrServer b = node("b", nats.url()); Http httpB = new Http(b.baseUri())) {
                assertEquals("IN_PROGRESS", status(httpB, id).get("status").asText(), "node b sees it running");
                Http.Reply cancel = httpB.send("PUT", REQUESTS + id + "/cancel");
                assertEquals(202, cancel.status(), cancel.body());
                assertEquals("CANCELLATION_REQUESTED", cancel.json().get("status").asText());
                Poll.until(() -> "COMPLETED".equals(status(httpB, id).path("status").asText()), Duration.ofSeconds(20),
                        () -> "the request completing after the cancel");
                for (Http http : new Http[] {httpA, httpB}) {
                    Http.Reply result = http.get(REQUESTS + id);
                    assertEquals(499, result.status(), result.body());
                    assertEquals("client_cancelled", result.json().get("error_type").asText());
                }
                assertTrue(status(httpA, id).get("logs").toString().contains("cancelled"));
                assertEquals(400, httpA.send("PUT", REQUESTS + id + "/cancel").status(), "already completed");
            }
        } finally {
            release.countDown();
            stall.stop(0);
            stallThreads.shutdownNow();
        }
    }

    private static JsonNode status(Http http, String id) {
        try {
            return http.get(REQUESTS + id + "/status?logs=1").json();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
