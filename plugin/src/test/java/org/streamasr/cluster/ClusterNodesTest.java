package org.streamasr.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.streamasr.media.adapter.TestAudio;
import org.streamasr.testing.Http;
import org.streamasr.testing.RequiredTools;

/**
 * Cluster mode with real processes: a Debian nats-server with JetStream, and nodes that are separate
 * {@code AsrMain serve} JVMs on the sphinx engine, so they can be killed with SIGKILL or drained with SIGTERM. The
 * tests run in order on one cluster: an upload crosses nodes; 30 queued requests with webhooks survive the
 * {@code kill -9} of a node that runs one (each completed once, readable from every node, every webhook delivered,
 * never two bodies for one request); a node given SIGTERM with two running requests hands them back at once and the
 * other nodes finish them well before the ack deadline.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterNodesTest {
    private static final String MODEL = "/queue/nvidia/nemotron-asr-multilingual/asr";
    private static final String CLIP = "sense_and_sensibility_01_austen_64kb-0890.wav";
    private static final int REQUESTS = 30;

    private Path dir;

    private NatsServerProcess nats;
    private final List<NodeProcess> nodes = new ArrayList<>();
    /** Every node started, killed and drained ones included, for closing. */
    private final List<NodeProcess> started = new ArrayList<>();
    private WebhookReceiver hooks;
    private byte[] wav;
    private String fileUrl;

    @BeforeAll
    void startCluster(@TempDir Path tempDir) throws Exception {
        dir = tempDir;
        NatsServerProcess.command();
        RequiredTools.file(TestAudio.LIBRIVOX.resolve(CLIP), "pocketsphinx-testdata");
        nats = NatsServerProcess.start(dir);
        hooks = new WebhookReceiver();
        wav = Files.readAllBytes(TestAudio.LIBRIVOX.resolve(CLIP));
        ExecutorService starter = Executors.newFixedThreadPool(3, r -> new Thread(r, "test-node-start"));
        try {
            List<Future<NodeProcess>> started = new ArrayList<>();
            for (String id : List.of("a", "b", "c")) started.add(starter.submit(() -> startNode(id, "5s", 1)));
            for (Future<NodeProcess> f : started) nodes.add(f.get());
        } finally {
            starter.shutdownNow();
        }
    }

    private NodeProcess startNode(String id, String ackWait, int workers) throws Exception {
        NodeProcess n = NodeProcess.start(dir, id, nats.url(), List.of("asr.engine.name=sphinx", "asr.api.open=true",
                "asr.api.workers=" + workers, "asr.api.fetch.allow-private-addresses=true", "asr.cluster.ack-wait=" + ackWait,
                "asr.api.webhooks.initial-backoff=1s", "asr.server.shutdown-grace=60s", "asr.media.rtp.port-min=0",
                "asr.media.rtp.port-max=0", "asr.media.audiosocket.port=0", "asr.server.network-threads=4",
                "asr.server.event-threads=2", "asr.media.cpu-threads=1"));
        synchronized (started) {
            started.add(n);
        }
        return n;
    }

    @AfterAll
    void stopCluster() throws Exception {
        for (NodeProcess n : started) n.close();
        if (hooks != null) hooks.close();
        if (nats != null) nats.close();
    }

    @Test
    @Order(1)
    void anUploadMadeOnOneNodeIsUsableOnEveryOtherNodeOnce() throws Exception {
        NodeProcess a = nodes.get(0);
        NodeProcess b = nodes.get(1);
        NodeProcess c = nodes.get(2);
        JsonNode health = a.http().get("/health").json();
        assertEquals("a", health.get("node").asText(), health.toString());
        assertEquals("ok", health.get("cluster").asText(), health.toString());

        JsonNode slot = a.http().post("/storage/upload/initiate",
                "{\"content_type\": \"audio/wav\", \"file_name\": \"clip.wav\"}").json();
        String uploadPath = URI.create(slot.get("upload_url").asText()).getRawPath();
        fileUrl = slot.get("file_url").asText();
        assertEquals(200, b.http().putBytes(uploadPath, wav, "audio/wav").status(), "the PUT on another node");
        assertEquals(404, c.http().putBytes(uploadPath, wav, "audio/wav").status(), "the upload URL is single-use");
        Http.Reply got = c.http().get(URI.create(fileUrl).getRawPath());
        assertEquals(200, got.status());
        assertEquals(wav.length, got.headers().firstValueAsLong("content-length").orElse(-1), "the file, from node c");
    }

    @Test
    @Order(2)
    void thirtyQueuedRequestsSurviveTheKillOfANodeRunningOne() throws Exception {
        String body = "{\"audio_url\": \"" + fileUrl + "\", \"language\": \"en-US\"}";
        String hook = "?fal_webhook=" + URLEncoder.encode(hooks.url(), StandardCharsets.UTF_8);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < REQUESTS; i++) {
            Http.Reply r = nodes.get(i % 3).http().post(MODEL + hook, body);
            assertEquals(200, r.status(), r.body());
            ids.add(r.json().get("request_id").asText());
        }
        // half-way: kill -9 a node while it runs a request
        NodeProcess[] victim = new NodeProcess[1];
        waitFor(Duration.ofMinutes(10), () -> "half of the requests completing, a node running one", () -> {
            if (completed(nodes.get(0), ids) < REQUESTS / 3) return false;
            for (NodeProcess n : nodes) if (running(n) > 0) victim[0] = n;
            return victim[0] != null;
        });
        victim[0].kill();
        nodes.remove(victim[0]);
        System.out.println("cluster test: killed node " + victim[0].id() + " while it ran a request");

        waitFor(Duration.ofMinutes(15), () -> completed(nodes.get(0), ids) + " of " + REQUESTS + " completed",
                () -> completed(nodes.get(0), ids) == REQUESTS);
        boolean rerun = false;
        for (String id : ids) {
            String first = null;
            for (NodeProcess n : nodes) {
                Http.Reply result = n.http().get("/queue/nvidia/nemotron-asr-multilingual/requests/" + id);
                assertEquals(200, result.status(), id + " on " + n.id() + ": " + result.body());
                assertTrue(result.json().get("output").asText().contains("cold hearted"), result.body());
                if (first == null) first = result.body();
                assertEquals(first, result.body(), "one result, whichever node answers");
            }
            JsonNode status = nodes.get(0).http().get("/queue/nvidia/nemotron-asr-multilingual/requests/" + id
                    + "/status?logs=1").json();
            rerun |= status.get("logs").toString().contains("runs it again from the start");
        }
        assertTrue(rerun, "the killed node's request ran again on another node");

        waitFor(Duration.ofMinutes(2), () -> hooks.bodies().size() + " of " + REQUESTS + " webhooks",
                () -> hooks.bodies().keySet().containsAll(ids));
        for (String id : ids) {
            Set<String> distinct = new HashSet<>(hooks.bodies().get(id));
            assertEquals(1, distinct.size(), "one body per request: " + hooks.bodies().get(id));
            assertEquals("OK", new com.fasterxml.jackson.databind.ObjectMapper().readTree(distinct.iterator().next())
                    .get("status").asText());
        }
    }

    @Test
    @Order(3)
    void aDrainingNodeHandsItsRunningRequestsBackAndAnotherNodeFinishesThemWellBeforeTheAckDeadline() throws Exception {
        // node d joins with two workers and a long ack wait (the consumers take the newest node's setting): a
        // redelivery by deadline would take 300 s, a hand-back none
        nodes.add(startNode("d", "300s", 2));
        NodeProcess d = nodes.get(nodes.size() - 1);
        int workers = nodes.size() + 1;   // one per earlier node, two on d
        // every request's audio is held back by the test until d is drained: all workers busy, two of them d's
        CountDownLatch release = new CountDownLatch(1);
        ExecutorService served = Executors.newCachedThreadPool(r -> new Thread(r, "test-audio"));
        HttpServer audio = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 20);
        audio.setExecutor(served);
        audio.createContext("/clip", ex -> {
            try {
                release.await();
                ex.getResponseHeaders().add("Content-Type", "audio/wav");
                ex.sendResponseHeaders(200, wav.length);
                ex.getResponseBody().write(wav);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (java.io.IOException e) {
                // the drained node hung up
            }
            ex.close();
        });
        audio.start();
        try {
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < workers; i++) {
                Http.Reply r = nodes.get(i % nodes.size()).http().post(MODEL, "{\"audio_url\": \"http://127.0.0.1:"
                        + audio.getAddress().getPort() + "/clip-" + i + ".wav\", \"language\": \"en-US\"}");
                assertEquals(200, r.status(), r.body());
                ids.add(r.json().get("request_id").asText());
            }
            waitFor(Duration.ofMinutes(1), () -> "node d running two requests (it runs " + running(d) + ")",
                    () -> running(d) == 2);
            long t0 = System.nanoTime();
            d.terminate();
            List<String> handedBack = new ArrayList<>();
            // d stays in the list meanwhile, so a time-out shows its log too
            waitFor(Duration.ofSeconds(30), () -> "node d handing back its two requests: " + handedBack, () -> {
                handedBack.clear();
                for (String id : ids) if (logs(nodes.get(0), id).contains("node d shut down while running")) handedBack.add(id);
                return handedBack.size() == 2;
            });
            nodes.remove(d);
            release.countDown();
            waitFor(Duration.ofMinutes(2), () -> "the requests completing",
                    () -> completed(nodes.get(0), ids) == ids.size());
            double finished = (System.nanoTime() - t0) / 1e9;
            assertTrue(d.awaitExit(Duration.ofSeconds(60)), "the drained node exits");
            System.out.printf("cluster test: node d drained with two running requests; other nodes finished them "
                    + "(after their own) %.1f s after its SIGTERM (ack wait 300 s)%n", finished);
            assertTrue(finished < 150, "finished " + finished + " s after the SIGTERM: well before the 300 s ack deadline");
            for (String id : handedBack) {
                assertTrue(logs(nodes.get(0), id).contains("runs it again from the start"), logs(nodes.get(0), id));
            }
            for (String id : ids) {
                Http.Reply result = nodes.get(0).http().get("/queue/nvidia/nemotron-asr-multilingual/requests/" + id);
                assertEquals(200, result.status(), result.body());
                assertTrue(result.json().get("output").asText().contains("cold hearted"), result.body());
            }
        } finally {
            release.countDown();
            audio.stop(0);
            served.shutdownNow();
        }
    }

    private static String logs(NodeProcess n, String id) {
        try {
            return n.http().get("/queue/nvidia/nemotron-asr-multilingual/requests/" + id + "/status?logs=1").json()
                    .get("logs").toString();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private int completed(NodeProcess n, List<String> ids) {
        int done = 0;
        for (String id : ids) {
            try {
                JsonNode s = n.http().get("/queue/nvidia/nemotron-asr-multilingual/requests/" + id + "/status").json();
                if ("COMPLETED".equals(s.get("status").asText())) done++;
            } catch (Exception e) {
                throw new AssertionError("status of " + id + " on " + n.id(), e);
            }
        }
        return done;
    }

    /** asr_api_requests_running of a node, from its /metrics. */
    private static double running(NodeProcess n) {
        try {
            for (String line : n.http().get("/metrics").body().split("\n")) {
                if (line.startsWith("asr_api_requests_running ")) return Double.parseDouble(line.split(" ")[1]);
            }
            return 0;
        } catch (Exception e) {
            return 0;
        }
    }

    /** Polls {@code done} every 300 ms until it holds or {@code timeout} passes. */
    private void waitFor(Duration timeout, Supplier<String> what, BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                StringBuilder logs = new StringBuilder();
                for (NodeProcess n : nodes) logs.append("\n--- node ").append(n.id()).append('\n').append(tail(n.log()));
                throw new AssertionError("timed out after " + timeout + ": " + what.get() + logs);
            }
            Thread.sleep(300);   // polling other processes
        }
    }

    private static String tail(String s) {
        return s.length() <= 6000 ? s : s.substring(s.length() - 6000);
    }
}
