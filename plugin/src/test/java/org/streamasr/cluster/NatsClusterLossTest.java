package org.streamasr.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.nats.client.Connection;
import io.nats.client.JetStreamManagement;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.api.StreamInfo;
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
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streamasr.media.adapter.Poll;
import org.streamasr.media.adapter.TestAudio;
import org.streamasr.server.AsrServer;
import org.streamasr.testing.Http;
import org.streamasr.testing.RequiredTools;
import org.streamasr.testing.TestServers;

/**
 * Production's NATS setup in small: a three-server NATS cluster on loopback, every stream, bucket and object store
 * with three replicas (two left at one replica by an earlier deployment are brought to three by the nodes), two
 * nodes given all three URLs. Queue requests (with webhooks, for an upload in the
 * replicated object store) are running when the NATS server that node a is connected to, made the RAFT leader of the
 * job records, the job stream and its consumer, is killed with SIGKILL:
 * every request acknowledged with a 200, before or during the failover, completes with one result readable from both
 * nodes and one webhook body, and both nodes are connected again (to the two servers left) without help.
 */
class NatsClusterLossTest {
    private static final String MODEL = "/queue/nvidia/nemotron-asr-multilingual/asr";
    private static final String REQUESTS = "/queue/nvidia/nemotron-asr-multilingual/requests/";
    private static final String CLIP = "sense_and_sensibility_01_austen_64kb-0890.wav";
    private static final int BEFORE = 6;
    private static final int DURING = 3;

    @Test
    void losingOneOfThreeNatsServersLosesNoAcknowledgedRequest(@TempDir Path dir) throws Exception {
        NatsServerProcess.command();
        RequiredTools.file(TestAudio.LIBRIVOX.resolve(CLIP), "pocketsphinx-testdata");
        byte[] wav = Files.readAllBytes(TestAudio.LIBRIVOX.resolve(CLIP));
        List<NatsServerProcess> servers = NatsServerProcess.startCluster(dir, 3);
        List<String> urlList = servers.stream().map(NatsServerProcess::url).toList();
        String urls = String.join(",", urlList);
        try (WebhookReceiver hooks = new WebhookReceiver()) {
            NatsServerProcess.awaitJetStream(urlList, Duration.ofSeconds(30));
            createSingleReplicaStores(urlList);
            try (AsrServer a = node("a", urls); AsrServer b = node("b", urls);
                 Http httpA = new Http(a.baseUri()); Http httpB = new Http(b.baseUri())) {
                assertReplicated(urlList);
                JsonNode slot = httpA.post("/storage/upload/initiate",
                        "{\"content_type\": \"audio/wav\", \"file_name\": \"clip.wav\"}").json();
                Http.Reply put = httpB.putBytes(URI.create(slot.get("upload_url").asText()).getRawPath(), wav, "audio/wav");
                assertEquals(200, put.status(), put.body());
                String body = "{\"audio_url\": \"" + slot.get("file_url").asText() + "\", \"language\": \"en-US\"}";
                String path = MODEL + "?fal_webhook=" + URLEncoder.encode(hooks.url(), StandardCharsets.UTF_8);
                Http[] both = {httpA, httpB};

                List<String> acknowledged = new ArrayList<>();
                for (int i = 0; i < BEFORE; i++) {
                    Http.Reply r = both[i % 2].post(path, body);
                    assertEquals(200, r.status(), r.body());
                    acknowledged.add(r.json().get("request_id").asText());
                }
                Poll.until(() -> completed(httpB, acknowledged) >= 2, Duration.ofSeconds(60),
                        () -> "two requests completing before the NATS server is killed");

                NatsServerProcess victim = null;
                for (NatsServerProcess s : servers) if (s.holdsConnection("streamasr a")) victim = s;
                assertTrue(victim != null, "one server holds node a's connection");
                leadFrom(urlList, victim.name());
                List<String> led = leaders(urlList, victim.name());
                victim.kill();
                System.out.printf("nats cluster test: killed %s (node a's server, leader of %s and of the consumer) with %d of %d completed%n",
                        victim.name(), led, completed(httpB, acknowledged), acknowledged.size());

                // submissions while the cluster fails over: each is acknowledged (and must then complete) or refused
                int refused = 0;
                for (int i = 0; i < DURING; i++) {
                    Http.Reply r = both[i % 2].post(path, body);
                    if (r.status() == 200) acknowledged.add(r.json().get("request_id").asText());
                    else {
                        assertEquals(503, r.status(), r.body());
                        // no server took it (store_unavailable), or JetStream did not answer within submit-timeout
                        // (submit_timeout: withdrawn, so it never runs); either way not acknowledged
                        assertTrue(Set.of("store_unavailable", "submit_timeout").contains(
                                r.json().get("error_type").asText()), r.body());
                        refused++;
                    }
                }
                List<String> survivors = new ArrayList<>(urlList);
                survivors.remove(victim.url());
                final NatsServerProcess killed = victim;
                Poll.until(() -> connectedElsewhere(servers, killed), Duration.ofSeconds(30),
                        () -> "both nodes reconnected to the servers left");
                Poll.until(() -> "ok".equals(health(httpA)) && "ok".equals(health(httpB)), Duration.ofSeconds(30),
                        () -> "both nodes' /health cluster ok");
                Poll.until(() -> completed(httpA, acknowledged) == acknowledged.size(), Duration.ofSeconds(120),
                        () -> completed(httpA, acknowledged) + " of " + acknowledged.size() + " acknowledged completed");

                for (String id : acknowledged) {
                    Http.Reply fromA = httpA.get(REQUESTS + id);
                    Http.Reply fromB = httpB.get(REQUESTS + id);
                    assertEquals(200, fromA.status(), fromA.body());
                    assertTrue(fromA.json().get("output").asText().contains("cold hearted"), fromA.body());
                    assertEquals(fromA.body(), fromB.body(), "one result for " + id + ", whichever node answers");
                }
                Poll.until(() -> hooks.bodies().keySet().containsAll(acknowledged), Duration.ofSeconds(60),
                        () -> hooks.bodies().size() + " of " + acknowledged.size() + " webhooks");
                for (String id : acknowledged) {
                    List<String> got = hooks.bodies().get(id);
                    assertEquals(1, new HashSet<>(got).size(), "one body for " + id + ": " + got);
                }
                System.out.printf("nats cluster test: %d acknowledged (%d refused during the failover), all completed "
                        + "once with one result and one webhook body%n", acknowledged.size(), refused);
            }
        } finally {
            for (NatsServerProcess s : servers) s.close();
        }
    }

    private static AsrServer node(String id, String urls) throws Exception {
        return AsrServer.start(TestServers.config(Map.of("asr.engine.name", "sphinx", "asr.api.open", true,
                "asr.api.workers", 1, "asr.api.fetch.allow-private-addresses", true, "asr.cluster.nats.url", urls,
                "asr.cluster.node-id", id, "asr.cluster.replicas", 3, "asr.cluster.ack-wait", "5s",
                "asr.api.webhooks.initial-backoff", "1s", "asr.media.cpu-threads", 1)));
    }

    /** A deployment that ran with one replica before: the nodes must bring these to three. */
    private static void createSingleReplicaStores(List<String> urls) throws Exception {
        try (Connection c = Nats.connect(new Options.Builder().servers(urls.toArray(new String[0])).build())) {
            c.keyValueManagement().create(io.nats.client.api.KeyValueConfiguration.builder().name("asr-jobs")
                    .maxHistoryPerKey(1).storageType(io.nats.client.api.StorageType.File).replicas(1).build());
            c.objectStoreManagement().create(io.nats.client.api.ObjectStoreConfiguration.builder("asr-uploads")
                    .storageType(io.nats.client.api.StorageType.File).replicas(1).build());
        }
    }

    /** Every stream the nodes made (job streams, buckets, object stores) has three replicas. */
    private static void assertReplicated(List<String> urls) throws Exception {
        try (Connection c = Nats.connect(new Options.Builder().servers(urls.toArray(new String[0])).build())) {
            JetStreamManagement jsm = c.jetStreamManagement();
            List<String> names = jsm.getStreamNames();
            for (String expected : List.of("ASR_JOBS_NORMAL", "ASR_JOBS_LOW", "KV_asr-jobs", "KV_asr-webhooks",
                    "KV_asr-uploads", "KV_asr-meta", "OBJ_asr-uploads", "OBJ_asr-job-inputs")) {
                assertTrue(names.contains(expected), expected + " in " + names);
            }
            for (String name : names) {
                StreamInfo info = jsm.getStreamInfo(name);
                assertEquals(3, info.getConfiguration().getReplicas(), name + " replicas");
            }
        }
    }

    /**
     * Moves the leadership of the job records, the normal-priority job stream and its consumer to the server
     * {@code name} (step-downs until it is elected), so that killing it takes the leaders the queue depends on.
     */
    private static void leadFrom(List<String> urls, String name) throws Exception {
        try (Connection c = Nats.connect(new Options.Builder().servers(urls.toArray(new String[0])).build())) {
            JetStreamManagement jsm = c.jetStreamManagement();
            for (String[] raft : new String[][] {{"KV_asr-jobs", null}, {JetStreamJobBackend.NORMAL_STREAM, null},
                    {JetStreamJobBackend.NORMAL_STREAM, "workers"}}) {
                String what = raft[0] + (raft[1] == null ? "" : " consumer " + raft[1]);
                Poll.until(() -> {
                    String leader = raftLeader(jsm, raft[0], raft[1]);
                    if (name.equals(leader)) return true;
                    if (leader != null) {
                        String subject = raft[1] == null ? "$JS.API.STREAM.LEADER.STEPDOWN." + raft[0]
                                : "$JS.API.CONSUMER.LEADER.STEPDOWN." + raft[0] + "." + raft[1];
                        try {
                            c.request(subject, null, Duration.ofSeconds(5));
                            Poll.until(() -> {
                                String now = raftLeader(jsm, raft[0], raft[1]);
                                return now != null && !now.equals(leader);
                            }, Duration.ofSeconds(15), () -> what + " electing a new leader");
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                    return name.equals(raftLeader(jsm, raft[0], raft[1]));
                }, Duration.ofSeconds(60), () -> what + " led by " + name);
            }
        }
    }

    /** The RAFT leader of a stream (consumer null) or of one of its consumers; null while there is none. */
    private static String raftLeader(JetStreamManagement jsm, String stream, String consumer) {
        try {
            var cluster = consumer == null ? jsm.getStreamInfo(stream).getClusterInfo()
                    : jsm.getConsumerInfo(stream, consumer).getClusterInfo();
            return cluster == null ? null : cluster.getLeader();
        } catch (Exception e) {
            return null;
        }
    }

    /** The streams whose RAFT leader is the server {@code name}. */
    private static List<String> leaders(List<String> urls, String name) throws Exception {
        List<String> led = new ArrayList<>();
        try (Connection c = Nats.connect(new Options.Builder().servers(urls.toArray(new String[0])).build())) {
            JetStreamManagement jsm = c.jetStreamManagement();
            for (String s : jsm.getStreamNames()) {
                var cluster = jsm.getStreamInfo(s).getClusterInfo();
                if (cluster != null && name.equals(cluster.getLeader())) led.add(s);
            }
        }
        return led;
    }

    private static boolean connectedElsewhere(List<NatsServerProcess> servers, NatsServerProcess killed) {
        boolean a = false;
        boolean b = false;
        for (NatsServerProcess s : servers) {
            if (s == killed) continue;
            try {
                a |= s.holdsConnection("streamasr a");
                b |= s.holdsConnection("streamasr b");
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }
        return a && b;
    }

    private static String health(Http http) {
        try {
            return http.get("/health").json().path("cluster").asText();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** Requests that node's status shows COMPLETED (a 503 while the cluster fails over counts as not yet). */
    private static int completed(Http http, List<String> ids) {
        int done = 0;
        for (String id : ids) {
            try {
                Http.Reply r = http.get(REQUESTS + id + "/status");
                if (r.status() == 200 && "COMPLETED".equals(r.json().path("status").asText())) done++;
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }
        return done;
    }
}
