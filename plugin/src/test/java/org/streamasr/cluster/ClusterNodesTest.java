package org.streamasr.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
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
import org.streamasr.media.wav.WavFile;
import org.streamasr.testing.Http;
import org.streamasr.testing.RequiredTools;

/**
 * Cluster mode with real processes: a Debian nats-server with JetStream, and nodes that are separate
 * {@code AsrMain serve} JVMs on the sphinx engine, so they can be killed with SIGKILL or drained with SIGTERM. The
 * tests run in order on one cluster: an upload crosses nodes; 30 queued requests with webhooks survive the
 * {@code kill -9} of a node that runs one (each completed once, readable from every node, every webhook delivered,
 * never two bodies for one request); a node given SIGTERM hands its running request back at once and another node
 * finishes it well before the ack deadline.
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
            for (String id : List.of("a", "b", "c")) started.add(starter.submit(() -> startNode(id, "5s")));
            for (Future<NodeProcess> f : started) nodes.add(f.get());
        } finally {
            starter.shutdownNow();
        }
    }

    private NodeProcess startNode(String id, String ackWait) throws Exception {
        NodeProcess n = NodeProcess.start(dir, id, nats.url(), List.of("asr.engine.name=sphinx", "asr.api.open=true",
                "asr.api.workers=1", "asr.api.fetch.allow-private-addresses=true", "asr.cluster.ack-wait=" + ackWait,
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
    void aDrainingNodeHandsItsRunningRequestBackAndAnotherNodeTakesItAtOnce() throws Exception {
        // a node joins with a long ack wait (the consumers take the newest node's setting): a redelivery by deadline
        // would take 120 s, a hand-back none
        nodes.add(startNode("d", "120s"));
        short[] clip = TestAudio.clip(CLIP);
        short[] longer = new short[clip.length * 3];
        for (int i = 0; i < 3; i++) System.arraycopy(clip, 0, longer, i * clip.length, clip.length);
        String dataUri = "data:audio/wav;base64," + java.util.Base64.getEncoder()
                .encodeToString(new WavFile(16_000, 1, longer).toBytes());
        Http.Reply submitted = nodes.get(0).http().post(MODEL, "{\"audio_url\": \"" + dataUri + "\", \"language\": \"en-US\"}");
        assertEquals(200, submitted.status(), submitted.body());
        String id = submitted.json().get("request_id").asText();
        String statusPath = "/queue/nvidia/nemotron-asr-multilingual/requests/" + id + "/status?logs=1";
        NodeProcess[] victim = new NodeProcess[1];
        waitFor(Duration.ofMinutes(2), () -> "a node running the request", () -> {
            for (NodeProcess n : nodes) if (running(n) > 0) victim[0] = n;
            return victim[0] != null;
        });
        long t0 = System.nanoTime();
        victim[0].terminate();
        nodes.remove(victim[0]);
        waitFor(Duration.ofSeconds(30), () -> "another node running the handed-back request", () -> {
            try {
                String logs = nodes.get(0).http().get(statusPath).json().get("logs").toString();
                return logs.contains("shut down while running this request") && logs.contains("runs it again from the start");
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        double restarted = (System.nanoTime() - t0) / 1e9;
        assertTrue(victim[0].awaitExit(Duration.ofSeconds(60)), "the drained node exits");
        waitFor(Duration.ofMinutes(5), () -> "the request completing",
                () -> completed(nodes.get(0), List.of(id)) == 1);
        double finished = (System.nanoTime() - t0) / 1e9;
        System.out.printf("cluster test: node %s drained; its request ran again elsewhere after %.1f s, finished after "
                + "%.1f s (ack wait 120 s)%n", victim[0].id(), restarted, finished);
        Http.Reply result = nodes.get(0).http().get("/queue/nvidia/nemotron-asr-multilingual/requests/" + id);
        assertEquals(200, result.status(), result.body());
        assertTrue(result.json().get("output").asText().contains("cold hearted"), result.body());
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
