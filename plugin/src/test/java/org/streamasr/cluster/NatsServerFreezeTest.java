package org.streamasr.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streamasr.media.adapter.Poll;
import org.streamasr.server.AsrServer;
import org.streamasr.testing.Http;
import org.streamasr.testing.TestServers;

/**
 * The NATS server a node is connected to stops answering without closing anything (SIGSTOP: what a client sees of a
 * machine that lost power): the node notices by its pings, moves to one of the two servers left by itself within
 * seconds, and the hosted API accepts and answers requests again. Every submission meanwhile, JetStream re-electing
 * the frozen server's stream leaders included, is answered promptly: accepted, or 503 with Retry-After within
 * asr.cluster.submit-timeout, never left to the client's own timeout.
 */
class NatsServerFreezeTest {
    private static final String QUEUE = "/queue/nvidia/nemotron-asr-multilingual/asr";
    private static final String REQUESTS = "/queue/nvidia/nemotron-asr-multilingual/requests/";
    private static final Duration SUBMIT_TIMEOUT = Duration.ofSeconds(3);
    /** The submit timeout plus what else a POST does (parse, checks, the answer) on a loaded machine. */
    private static final Duration PROMPT = SUBMIT_TIMEOUT.plusSeconds(4);

    @Test
    void aNodeLeavesAServerThatStoppedAnsweringWithinSeconds(@TempDir Path dir) throws Exception {
        NatsServerProcess.command();
        List<NatsServerProcess> servers = NatsServerProcess.startCluster(dir, 3);
        List<String> urls = servers.stream().map(NatsServerProcess::url).toList();
        NatsServerProcess frozen = null;
        try {
            NatsServerProcess.awaitJetStream(urls, Duration.ofSeconds(30));
            try (AsrServer a = AsrServer.start(TestServers.config(Map.of("asr.engine.name", "sphinx",
                         "asr.api.open", true, "asr.api.workers", 1, "asr.cluster.nats.url", String.join(",", urls),
                         "asr.cluster.node-id", "a", "asr.cluster.replicas", 3,
                         "asr.cluster.submit-timeout", SUBMIT_TIMEOUT.toMillis() + "ms")));
                 Http http = new Http(a.baseUri())) {
                for (NatsServerProcess s : servers) if (s.holdsConnection("streamasr a")) frozen = s;
                assertTrue(frozen != null, "one server holds node a's connection");
                frozen.freeze();
                long t0 = System.nanoTime();
                NatsServerProcess gone = frozen;
                Poll.until(() -> servers.stream().filter(s -> s != gone).anyMatch(NatsServerFreezeTest::holdsNodeA),
                        Duration.ofSeconds(40), () -> "node a connected to another server");
                double moved = (System.nanoTime() - t0) / 1e9;
                System.out.printf("nats freeze test: node a left the frozen %s after %.1f s%n", gone.name(), moved);
                assertTrue(moved < 30, "moved after " + moved + " s");
                Poll.until(() -> submitted(http), Duration.ofSeconds(30), () -> "a submission accepted again");
            }
        } finally {
            if (frozen != null) frozen.thaw();
            for (NatsServerProcess s : servers) s.close();
        }
    }

    /**
     * Two of three servers frozen: the node's own server still answers, but JetStream has no quorum to store
     * anything. A submission is answered 503 (submit_timeout, counted) within the bound; once the servers are back,
     * the next submission is accepted and is the only request that ever runs (one worker, FIFO: a refused one that
     * JetStream stored late would run first).
     */
    @Test
    void aSubmissionJetStreamCannotStoreIsRefusedPromptlyAndNeverRuns(@TempDir Path dir) throws Exception {
        NatsServerProcess.command();
        List<NatsServerProcess> servers = NatsServerProcess.startCluster(dir, 3);
        List<String> urls = servers.stream().map(NatsServerProcess::url).toList();
        List<NatsServerProcess> frozen = new java.util.ArrayList<>();
        try {
            NatsServerProcess.awaitJetStream(urls, Duration.ofSeconds(30));
            try (AsrServer a = AsrServer.start(nodeA(urls, Map.of()));
                 Http http = new Http(a.baseUri())) {
                freezeAllButNodeAsServer(servers, frozen);

                assertTrue(!submitted(http), "no quorum: refused");

                for (NatsServerProcess s : frozen) s.thaw();
                frozen.clear();
                String[] id = new String[1];
                Poll.until(() -> {
                    try {
                        Http.Reply r = http.post(QUEUE, "{\"audio_url\": \"data:audio/wav;base64,AAAA\"}");
                        if (r.status() == 200) id[0] = r.json().get("request_id").asText();
                        else System.out.printf("nats freeze test: after the thaw %d %s%n", r.status(), r.body());
                        return id[0] != null;
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    }
                }, Duration.ofSeconds(60), () -> "a submission accepted once the servers are back");
                Poll.until(() -> {
                    try {
                        return "COMPLETED".equals(http.get(REQUESTS + id[0] + "/status").json().path("status").asText());
                    } catch (Exception e) {
                        return false;
                    }
                }, Duration.ofSeconds(60), () -> "the accepted request completing");
                String metrics = http.get("/metrics").body();
                assertTrue(metrics.contains("asr_api_requests_rejected_total{reason=\"submit_timeout\"} 1.0"), "counted");
                long completed = metrics.lines()
                        .filter(l -> l.startsWith("asr_api_requests_completed_total{"))
                        .mapToLong(l -> (long) Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
                assertEquals(1, completed, "only the accepted request ran");
            }
        } finally {
            for (NatsServerProcess s : frozen) s.thaw();
            for (NatsServerProcess s : servers) s.close();
        }
    }

    /**
     * One network thread, and JetStream without quorum: while a submission waits on JetStream (up to the submit
     * timeout), the same server still answers {@code GET /health} and {@code GET /metrics} at once. The submission
     * waits on the store-call pool, not on the network thread, and a scrape reads the pending-webhooks figure that
     * is refreshed in the background, its age growing while JetStream does not answer.
     */
    @Test
    void aSubmissionWaitingOnJetStreamLeavesTheNetworkThreadFree(@TempDir Path dir) throws Exception {
        NatsServerProcess.command();
        List<NatsServerProcess> servers = NatsServerProcess.startCluster(dir, 3);
        List<String> urls = servers.stream().map(NatsServerProcess::url).toList();
        List<NatsServerProcess> frozen = new java.util.ArrayList<>();
        java.util.concurrent.ExecutorService client = java.util.concurrent.Executors.newSingleThreadExecutor(
                org.streamasr.runtime.NamedThreads.single("test-submitter", true));
        try {
            NatsServerProcess.awaitJetStream(urls, Duration.ofSeconds(30));
            try (AsrServer a = AsrServer.start(nodeA(urls, Map.of("asr.server.network-threads", 1)));
                 Http submitter = new Http(a.baseUri());
                 Http http = new Http(a.baseUri())) {
                assertTrue(submitted(submitter), "JetStream whole: accepted");
                freezeAllButNodeAsServer(servers, frozen);

                long t0 = System.nanoTime();
                var post = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                    try {
                        return submitter.post(QUEUE, "{\"audio_url\": \"data:audio/wav;base64,AAAA\"}");
                    } catch (Exception e) {
                        throw new java.util.concurrent.CompletionException(e);
                    }
                }, client);
                int whilePending = 0;
                long slowest = 0;
                String metrics = "";
                while (!post.isDone()) {
                    long p0 = System.nanoTime();
                    boolean scrape = whilePending % 2 == 1;
                    Http.Reply r = scrape ? http.get("/metrics") : http.get("/health");
                    long took = (System.nanoTime() - p0) / 1_000_000;
                    {   // sent while the submission was pending
                        whilePending++;
                        slowest = Math.max(slowest, took);
                        if (scrape) assertEquals(200, r.status(), r.body());   // /health may say the cluster is unwell
                        assertTrue(took < 1000, (scrape ? "GET /metrics" : "GET /health") + " answered after " + took
                                + " ms while a submission waited on JetStream");
                        if (scrape) metrics = r.body();
                    }
                }
                Http.Reply answer = post.get();
                long postMillis = (System.nanoTime() - t0) / 1_000_000;
                System.out.printf("nats freeze test: %d requests answered (slowest %d ms) while the submission waited "
                        + "%d ms for its %d%n", whilePending, slowest, postMillis, answer.status());
                assertEquals(503, answer.status(), "no quorum: refused: " + answer.body());
                assertTrue(postMillis >= SUBMIT_TIMEOUT.toMillis() / 2, "the submission waited on JetStream");
                assertTrue(whilePending >= 4, "cheap requests answered while it waited: " + whilePending);
                assertTrue(metrics.contains("asr_api_webhooks_pending_age_seconds"), "the age of the figure is shown");
                Poll.until(() -> {
                    try {
                        return pendingAgeSeconds(http.get("/metrics").body()) > 2;
                    } catch (Exception e) {
                        return false;
                    }
                }, Duration.ofSeconds(30), () -> "the pending-webhooks figure marked stale");
            }
        } finally {
            client.shutdownNow();
            for (NatsServerProcess s : frozen) s.thaw();
            for (NatsServerProcess s : servers) s.close();
        }
    }

    /** Node a: sphinx, the hosted API with one worker, on the cluster's servers (R3), with the test's submit timeout. */
    private static org.streamasr.server.ServerConfig nodeA(List<String> urls, Map<String, Object> more) {
        Map<String, Object> settings = new java.util.HashMap<>(Map.of("asr.engine.name", "sphinx", "asr.api.open", true,
                "asr.api.workers", 1, "asr.cluster.nats.url", String.join(",", urls), "asr.cluster.node-id", "a",
                "asr.cluster.replicas", 3, "asr.cluster.submit-timeout", SUBMIT_TIMEOUT.toMillis() + "ms"));
        settings.putAll(more);
        return TestServers.config(settings);
    }

    /** Freezes the two servers that do not hold node a's connection (JetStream then has no quorum); adds them to {@code frozen}. */
    private static void freezeAllButNodeAsServer(List<NatsServerProcess> servers, List<NatsServerProcess> frozen)
            throws Exception {
        for (NatsServerProcess s : servers) if (!s.holdsConnection("streamasr a")) frozen.add(s);
        assertEquals(2, frozen.size(), "one server holds node a's connection");
        for (NatsServerProcess s : frozen) s.freeze();
    }

    private static double pendingAgeSeconds(String metrics) {
        return metrics.lines().filter(l -> l.startsWith("asr_api_webhooks_pending_age_seconds "))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).findFirst().orElse(-1);
    }

    private static boolean holdsNodeA(NatsServerProcess s) {
        try {
            return s.holdsConnection("streamasr a");
        } catch (Exception e) {
            return false;
        }
    }

    /** One submission: accepted (true) or refused with 503 and Retry-After (false), within {@link #PROMPT}. */
    private static boolean submitted(Http http) {
        long t0 = System.nanoTime();
        Http.Reply r;
        try {
            r = http.post(QUEUE, "{\"audio_url\": \"data:audio/wav;base64,AAAA\"}");
        } catch (java.net.http.HttpTimeoutException e) {
            throw new AssertionError("a submission was left to the client's timeout", e);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        System.out.printf("nats freeze test: POST answered %d after %d ms%n", r.status(), took.toMillis());
        assertTrue(took.compareTo(PROMPT) < 0, "answered " + r.status() + " after " + took.toMillis() + " ms: " + r.body());
        if (r.status() == 503) {
            assertEquals("1", r.headers().firstValue("Retry-After").orElse(null), "503 says when to retry");
            assertTrue(r.body().startsWith("{") && r.body().contains("\"error_type\"") && !r.body().contains("\tat "),
                    "a JSON error, no stack trace: " + r.body());
            return false;
        }
        assertEquals(200, r.status(), r.body());
        return true;
    }
}
