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
 * seconds, and the hosted API accepts and answers requests again.
 */
class NatsServerFreezeTest {
    private static final String QUEUE = "/queue/nvidia/nemotron-asr-multilingual/asr";

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
                         "asr.cluster.node-id", "a", "asr.cluster.replicas", 3)));
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

    private static boolean holdsNodeA(NatsServerProcess s) {
        try {
            return s.holdsConnection("streamasr a");
        } catch (Exception e) {
            return false;
        }
    }

    private static boolean submitted(Http http) {
        try {
            Http.Reply r = http.post(QUEUE, "{\"audio_url\": \"data:audio/wav;base64,AAAA\"}");
            if (r.status() == 503) return false;
            assertEquals(200, r.status(), r.body());
            return true;
        } catch (java.net.http.HttpTimeoutException e) {
            // a submission made while JetStream re-elects the frozen server's RAFT leaders waits for them: not yet
            return false;
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
