package org.streamasr.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streamasr.media.adapter.Poll;
import org.streamasr.server.AsrServer;
import org.streamasr.testing.Http;
import org.streamasr.testing.TestServers;

/**
 * A node whose NATS server goes away: /health says why, the hosted API answers 503 with a clear error instead of
 * accepting what it cannot store, and once NATS is back (same port, same JetStream directory) the node has
 * reconnected by itself and a request submitted before the outage is still there.
 */
class NatsOutageTest {
    private static final String QUEUE = "/queue/nvidia/nemotron-asr-multilingual/asr";

    @Test
    void whileNatsIsDownTheHostedApiAnswers503AndTheNodeReconnectsByItself(@TempDir Path dir) throws Exception {
        try (NatsServerProcess nats = NatsServerProcess.start(dir);
             AsrServer server = AsrServer.start(TestServers.config(Map.of("asr.engine.name", "sphinx",
                     "asr.api.open", true, "asr.api.workers", 1, "asr.cluster.nats.url", nats.url(),
                     "asr.cluster.node-id", "solo")));
             Http http = new Http(server.baseUri())) {
            assertEquals("ok", http.get("/health").json().get("cluster").asText());
            // a low-priority request for an upload that never arrives: it fails fast once a worker takes it, but its
            // record must outlive the outage either way
            Http.Reply before = http.post(QUEUE, "{\"audio_url\": \"data:audio/wav;base64,AAAA\"}",
                    "x-fal-queue-priority", "low");
            assertEquals(200, before.status(), before.body());
            String id = before.json().get("request_id").asText();

            nats.close();
            Poll.until(() -> !"ok".equals(health(http).path("cluster").asText()), Duration.ofSeconds(20),
                    () -> "the node noticing that NATS is gone");
            JsonNode health = health(http);
            assertEquals(200, http.get("/health").status(), "calls go on: the node stays healthy for them");
            assertTrue(health.get("cluster").asText().contains("NATS"), health.toString());

            Http.Reply refused = http.post(QUEUE, "{\"audio_url\": \"https://example.org/a.wav\"}");
            assertEquals(503, refused.status(), refused.body());
            assertEquals("store_unavailable", refused.json().get("error_type").asText());
            assertTrue(refused.json().get("detail").asText().contains("cannot be reached"), refused.body());
            assertEquals(503, http.post("/storage/upload/initiate", "{\"file_name\": \"a.wav\"}").status());
            assertEquals(503, http.get("/queue/nvidia/nemotron-asr-multilingual/requests/" + id + "/status").status());

            nats.restart();
            Poll.until(() -> "ok".equals(health(http).path("cluster").asText()), Duration.ofSeconds(30),
                    () -> "the node reconnecting by itself");
            Poll.until(() -> status(http, id) != null, Duration.ofSeconds(30), () -> "the earlier request's status");
            Http.Reply after = http.post(QUEUE, "{\"audio_url\": \"data:audio/wav;base64,AAAA\"}");
            assertEquals(200, after.status(), after.body());
        }
    }

    private static JsonNode health(Http http) {
        try {
            return http.get("/health").json();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static JsonNode status(Http http, String id) {
        try {
            Http.Reply r = http.get("/queue/nvidia/nemotron-asr-multilingual/requests/" + id + "/status");
            return r.status() == 200 || r.status() == 202 ? r.json() : null;
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
