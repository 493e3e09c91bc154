package org.streamasr.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nats.client.Connection;
import io.nats.client.KeyValue;
import io.nats.client.Nats;
import io.nats.client.api.KeyValueEntry;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.streamasr.media.adapter.Poll;
import org.streamasr.media.adapter.TestAudio;
import org.streamasr.testing.Http;
import org.streamasr.testing.RequiredTools;
import org.streamasr.testing.WebSocketRecorder;
import org.streamasr.testing.WordErrorRate;

/**
 * Placement across three node JVMs on one nats-server (sphinx engine), with different asr.cluster.max-streams and
 * loads: {@code POST /v1/calls} with {@code rtp} on node a creates the call on the node with the most free capacity,
 * whose {@code rtpHost} (asr.cluster.media-address: 127.0.0.1, .2, .3 for a, b, c) RTP is sent to and transcribed;
 * the call ends by {@code DELETE} on another node. With every node full, the POST is answered 503 with Retry-After.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PlacementTest {
    private static final String CLIP = "sense_and_sensibility_01_austen_64kb-0880.wav";
    private static final String SAID = "he was not an ill disposed young man";
    private static final String RTP_CALL = "{\"callId\": \"%s\", \"rtp\": {\"codec\": \"L16\", \"payloadType\": 96, "
            + "\"sampleRate\": 16000}}";
    private static final ObjectMapper JSON = new ObjectMapper();

    private Path dir;
    private NatsServerProcess nats;
    private Connection natsClient;
    private final List<NodeProcess> nodes = new ArrayList<>();
    private final List<NodeProcess> started = new ArrayList<>();

    @BeforeAll
    void startCluster(@TempDir Path tempDir) throws Exception {
        dir = tempDir;
        NatsServerProcess.command();
        RequiredTools.file(TestAudio.LIBRIVOX.resolve(CLIP), "pocketsphinx-testdata");
        nats = NatsServerProcess.start(dir);
        natsClient = Nats.connect(nats.url());
        ExecutorService starter = Executors.newFixedThreadPool(3, r -> new Thread(r, "test-node-start"));
        try {
            List<Future<NodeProcess>> f = new ArrayList<>();
            f.add(starter.submit(() -> startNode("a", 2, "127.0.0.1")));
            f.add(starter.submit(() -> startNode("b", 4, "127.0.0.2")));
            f.add(starter.submit(() -> startNode("c", 3, "127.0.0.3")));
            for (Future<NodeProcess> n : f) nodes.add(n.get());
        } finally {
            starter.shutdownNow();
        }
    }

    private NodeProcess startNode(String id, int maxStreams, String mediaAddress) throws Exception {
        NodeProcess n = NodeProcess.start(dir, id, nats.url(), List.of("asr.engine.name=sphinx", "asr.api.enabled=false",
                "asr.cluster.max-streams=" + maxStreams, "asr.cluster.media-address=" + mediaAddress,
                "asr.media.rtp.port-min=0", "asr.media.rtp.port-max=0", "asr.media.audiosocket.port=0",
                "asr.calls.idle-timeout=10m", "asr.server.network-threads=4", "asr.server.event-threads=2", "asr.media.cpu-threads=1"));
        synchronized (started) {
            started.add(n);
        }
        return n;
    }

    @AfterAll
    void stopCluster() throws Exception {
        for (NodeProcess n : started) n.close();
        if (natsClient != null) natsClient.close();
        if (nats != null) nats.close();
    }

    @Test
    @Order(1)
    void anRtpCallPostedOnOneNodeRunsOnTheNodeWithTheMostFreeStreamsAndEndsThroughAnother() throws Exception {
        NodeProcess a = nodes.get(0);
        NodeProcess b = nodes.get(1);
        NodeProcess c = nodes.get(2);
        // b (4 streams) carries two calls: free a 2, b 2, c 3
        for (String id : List.of("b-busy-1", "b-busy-2")) {
            assertEquals(201, b.http().post("/v1/calls", "{\"callId\": \"" + id + "\"}").status());
        }
        awaitPublishedLoad("b", 2);

        Http.Reply created = a.http().post("/v1/calls", RTP_CALL.formatted("placed"));
        assertEquals(201, created.status(), created.body());
        JsonNode call = created.json();
        assertEquals("c", call.get("node").asText(), created.body());
        assertEquals("127.0.0.3", call.get("rtpHost").asText(), created.body());
        assertTrue(c.http().get("/v1/calls/placed").json().has("rtpPort"), "the call runs on c");

        URI ownerCaptions = URI.create(call.get("captionsUrl").asText());
        assertEquals(URI.create(c.base()).getPort(), ownerCaptions.getPort(), "captionsUrl names the owner: " + ownerCaptions);
        // read on a, which does not hold the call: the captions relay serves it from c
        URI relayed = URI.create("ws://127.0.0.1:" + URI.create(a.base()).getPort() + ownerCaptions.getRawPath() + "?"
                + ownerCaptions.getRawQuery());
        try (WebSocketRecorder captions = WebSocketRecorder.connect(relayed)) {
            sendRtp(InetAddress.getByName(call.get("rtpHost").asText()), call.get("rtpPort").asInt(),
                    java.util.Arrays.copyOf(TestAudio.clip(CLIP), TestAudio.clip(CLIP).length + 32_000));
            StringBuilder heard = new StringBuilder();
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (WordErrorRate.score(SAID, heard.toString()).rate() > 0.5 && System.nanoTime() < deadline) {
                JsonNode event = captions.nextJson(Duration.ofSeconds(30));
                if (event != null && "final".equals(event.path("type").asText())) {
                    heard.append(' ').append(event.path("text").asText());
                }
            }
            assertTrue(WordErrorRate.score(SAID, heard.toString()).rate() <= 0.5, "transcribed on c, read on a: " + heard);

            Http.Reply ended = b.http().delete("/v1/calls/placed");
            assertEquals(200, ended.status(), ended.body());
            assertEquals("c", ended.json().get("node").asText(), ended.body());
            assertEquals(404, c.http().get("/v1/calls/placed").status(), "ended where it ran");
            JsonNode last = null;
            long endDeadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while ((last == null || !"ended".equals(last.path("type").asText())) && System.nanoTime() < endDeadline) {
                last = captions.nextJson(Duration.ofSeconds(10));
            }
            assertEquals("ended", last == null ? null : last.path("type").asText(), "the relayed subscriber on a is told");
        }
    }

    @Test
    @Order(2)
    void withEveryNodeFullAnRtpCallIsRefusedWith503AndRetryAfter() throws Exception {
        NodeProcess a = nodes.get(0);
        NodeProcess b = nodes.get(1);
        NodeProcess c = nodes.get(2);
        for (int i = 0; i < 2; i++) assertEquals(201, a.http().post("/v1/calls", "{\"callId\": \"a-" + i + "\"}").status());
        for (int i = 0; i < 2; i++) assertEquals(201, b.http().post("/v1/calls", "{\"callId\": \"b-" + i + "\"}").status());
        for (int i = 0; i < 3; i++) assertEquals(201, c.http().post("/v1/calls", "{\"callId\": \"c-" + i + "\"}").status());
        for (NodeProcess n : nodes) {
            Http.Reply health = n.http().get("/health");
            assertEquals(503, health.status(), n.id() + ": " + health.body());
            assertEquals("full", health.json().get("status").asText(), health.body());
        }
        awaitPublishedLoad("a", 2);
        awaitPublishedLoad("b", 4);
        awaitPublishedLoad("c", 3);

        Http.Reply refused = a.http().post("/v1/calls", RTP_CALL.formatted("too-many"));
        assertEquals(503, refused.status(), refused.body());
        assertTrue(refused.headers().firstValue("Retry-After").isPresent(), "Retry-After");
        assertEquals(503, refused.json().get("error").get("status").asInt(), refused.body());
        assertTrue(refused.json().get("error").get("message").asText().contains("full"), refused.body());
        Http.Reply plain = b.http().post("/v1/calls", "{\"callId\": \"b-more\"}");
        assertEquals(503, plain.status(), "a full node refuses a new call of its own too: " + plain.body());
        assertTrue(b.http().get("/metrics").body().contains("reason=\"node-full\""), "refusals are counted");
    }

    /** Waits until {@code node}'s entry in the placement bucket shows {@code load} (it publishes every second). */
    private void awaitPublishedLoad(String node, int load) throws Exception {
        KeyValue kv = natsClient.keyValue("asr-nodes");
        String key = java.util.Base64.getUrlEncoder().withoutPadding()
                .encodeToString(node.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        Poll.until(() -> {
            try {
                KeyValueEntry e = kv.get(key);
                return e != null && e.getValue() != null && JSON.readTree(e.getValue()).path("load").asInt() == load;
            } catch (Exception ex) {
                return false;
            }
        }, Duration.ofSeconds(15), () -> "node " + node + " publishing load " + load);
    }

    /**
     * L16 RTP, 20 ms a packet, paced in real time (the receiver's queue holds 2 s: a burst would be cut); the caller
     * adds trailing silence so the recogniser closes the utterance.
     */
    private static void sendRtp(InetAddress host, int port, short[] pcm) throws Exception {
        try (DatagramSocket udp = new DatagramSocket()) {
            long start = System.nanoTime();
            int seq = 0;
            for (int off = 0; off + 320 <= pcm.length; off += 320, seq++) {
                ByteBuffer b = ByteBuffer.allocate(12 + 640);
                b.put((byte) 0x80).put((byte) 96).putShort((short) seq).putInt(off).putInt(0x5eed);
                for (int i = 0; i < 320; i++) b.putShort(pcm[off + i]);
                udp.send(new DatagramPacket(b.array(), b.capacity(), host, port));
                LockSupport.parkNanos(start + (seq + 1) * 20_000_000L - System.nanoTime());
            }
        }
    }
}
