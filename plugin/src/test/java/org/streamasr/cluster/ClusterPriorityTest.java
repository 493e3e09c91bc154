package org.streamasr.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streamasr.media.adapter.Poll;
import org.streamasr.media.adapter.TestAudio;
import org.streamasr.server.AsrServer;
import org.streamasr.testing.Http;
import org.streamasr.testing.RequiredTools;
import org.streamasr.testing.TestServers;

/**
 * Priorities across nodes: both nodes' only workers are busy (each fetching audio from a server that holds the
 * answer back), low-priority requests are queued through both nodes, then a normal-priority request through node
 * b. The cluster-wide {@code queue_position}s put the later normal request first; when one worker comes free, it
 * runs the normal request, and every earlier low one is still waiting when it has completed.
 */
class ClusterPriorityTest {
    private static final String MODEL = "/queue/nvidia/nemotron-asr-multilingual/asr";
    private static final String REQUESTS = "/queue/nvidia/nemotron-asr-multilingual/requests/";
    private static final String CLIP = "sense_and_sensibility_01_austen_64kb-0890.wav";

    private static AsrServer node(String id, String natsUrl) throws Exception {
        return AsrServer.start(TestServers.config(Map.of("asr.engine.name", "sphinx", "asr.api.open", true,
                "asr.api.workers", 1, "asr.api.fetch.allow-private-addresses", true, "asr.cluster.nats.url", natsUrl,
                "asr.cluster.node-id", id, "asr.media.cpu-threads", 1)));
    }

    @Test
    void aLaterNormalRequestRunsBeforeEarlierLowOnesClusterWide(@TempDir Path dir) throws Exception {
        NatsServerProcess.command();
        RequiredTools.file(TestAudio.LIBRIVOX.resolve(CLIP), "pocketsphinx-testdata");
        String clip = "data:audio/wav;base64," + Base64.getEncoder()
                .encodeToString(Files.readAllBytes(TestAudio.LIBRIVOX.resolve(CLIP)));
        List<CountDownLatch> releases = List.of(new CountDownLatch(1), new CountDownLatch(1));
        ExecutorService stallThreads = Executors.newFixedThreadPool(2, r -> new Thread(r, "test-stall"));
        HttpServer stall = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 10);
        stall.setExecutor(stallThreads);
        for (int i = 0; i < 2; i++) {
            CountDownLatch release = releases.get(i);
            stall.createContext("/slow-" + i + ".wav", ex -> {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                ex.sendResponseHeaders(404, -1);
                ex.close();
            });
        }
        stall.start();
        try (NatsServerProcess nats = NatsServerProcess.start(dir);
             AsrServer a = node("a", nats.url()); AsrServer b = node("b", nats.url());
             Http httpA = new Http(a.baseUri()); Http httpB = new Http(b.baseUri())) {
            List<String> busy = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                busy.add(submit(i == 0 ? httpA : httpB, "http://127.0.0.1:" + stall.getAddress().getPort()
                        + "/slow-" + i + ".wav", false));
            }
            Poll.until(() -> busy.stream().allMatch(id -> "IN_PROGRESS".equals(state(httpA, id))), Duration.ofSeconds(30),
                    () -> "both workers of the cluster busy");

            List<String> low = new ArrayList<>();
            for (int i = 0; i < 3; i++) low.add(submit(i % 2 == 0 ? httpA : httpB, "data:audio/wav;base64,AAAA", true));
            String normal = submit(httpB, clip, false);

            Poll.until(() -> position(httpA, low.get(2)) == 3, Duration.ofSeconds(10),
                    () -> "queue positions settling: " + position(httpA, low.get(2)));
            assertEquals(0, position(httpA, normal), "the normal request is next, cluster-wide");
            for (int i = 0; i < 3; i++) assertEquals(i + 1, position(httpB, low.get(i)), "low request " + i);

            releases.get(0).countDown();   // one worker comes free
            Poll.until(() -> "COMPLETED".equals(state(httpA, normal)), Duration.ofSeconds(60),
                    () -> "the normal request completing: " + state(httpA, normal));
            for (String id : low) assertEquals("IN_QUEUE", state(httpA, id), "an earlier low request still waits");
            Http.Reply result = httpA.get(REQUESTS + normal);
            assertEquals(200, result.status(), result.body());
            assertTrue(result.json().get("output").asText().contains("cold hearted"), result.body());

            releases.get(1).countDown();
            Poll.until(() -> low.stream().allMatch(id -> "COMPLETED".equals(state(httpB, id))), Duration.ofSeconds(60),
                    () -> "the low requests completing");
        } finally {
            releases.forEach(CountDownLatch::countDown);
            stall.stop(0);
            stallThreads.shutdownNow();
        }
    }

    private static String submit(Http http, String audioUrl, boolean low) throws Exception {
        String body = "{\"audio_url\": \"" + audioUrl + "\", \"language\": \"en-US\"}";
        Http.Reply r = low ? http.post(MODEL, body, "x-fal-queue-priority", "low") : http.post(MODEL, body);
        assertEquals(200, r.status(), r.body());
        return r.json().get("request_id").asText();
    }

    private static JsonNode status(Http http, String id) {
        try {
            return http.get(REQUESTS + id + "/status").json();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static String state(Http http, String id) {
        return status(http, id).path("status").asText();
    }

    private static int position(Http http, String id) {
        return status(http, id).path("queue_position").asInt(-1);
    }
}
