package org.streamasr.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streamasr.media.CallHandle;
import org.streamasr.media.CallSpec;
import org.streamasr.media.ParticipantAudio;
import org.streamasr.media.ParticipantSpec;
import org.streamasr.media.PcmFrame;
import org.streamasr.media.TranscriptListener;
import org.streamasr.media.adapter.Poll;
import org.streamasr.media.adapter.TestAudio;
import org.streamasr.server.AsrServer;
import org.streamasr.testing.Http;
import org.streamasr.testing.TestServers;

/**
 * The call directory across two nodes on one NATS server: a call created on node a is listed (with its node and a
 * captions URL on node a) by node b, a DELETE on node b ends it on node a, and it leaves both lists.
 */
class ClusterCallsTest {

    private static AsrServer node(String id, String natsUrl) throws Exception {
        return AsrServer.start(TestServers.config(Map.of("asr.engine.name", "sphinx", "asr.cluster.nats.url", natsUrl,
                "asr.cluster.node-id", id)));
    }

    @Test
    void aCallOfOneNodeIsListedAndEndedThroughAnother(@TempDir Path dir) throws Exception {
        try (NatsServerProcess nats = NatsServerProcess.start(dir);
             AsrServer a = node("a", nats.url());
             AsrServer b = node("b", nats.url());
             Http httpA = new Http(a.baseUri());
             Http httpB = new Http(b.baseUri())) {
            Http.Reply created = httpA.post("/v1/calls", "{\"callId\": \"standup\"}");
            assertEquals(201, created.status(), created.body());
            String token = created.json().get("token").asText();

            Poll.until(() -> listed(httpB, "standup") != null, Duration.ofSeconds(15), () -> "node b listing the call");
            JsonNode entry = listed(httpB, "standup");
            assertEquals("a", entry.get("node").asText(), entry.toString());
            assertEquals("ws://" + a.baseUri().getAuthority() + "/v1/calls/standup/captions?token=" + token,
                    entry.get("captionsUrl").asText());
            JsonNode one = httpB.get("/v1/calls/standup").json();
            assertEquals("a", one.get("node").asText());

            Http.Reply ended = httpB.delete("/v1/calls/standup");
            assertEquals(200, ended.status(), ended.body());
            assertTrue(ended.json().get("ended").asBoolean(), ended.body());
            assertEquals("a", ended.json().get("node").asText(), ended.body());
            assertTrue(a.calls().find("standup").isEmpty(), "ended where it ran");
            Poll.until(() -> listed(httpB, "standup") == null, Duration.ofSeconds(15), () -> "node b dropping the call");
            assertEquals(404, httpB.get("/v1/calls/standup").status());
        }
    }

    @Test
    void aCallsTranscriptIsServedByEveryNodeDuringAndAfterTheCall(@TempDir Path dir) throws Exception {
        short[] speech = TestAudio.clip("sense_and_sensibility_01_austen_64kb-0880.wav", 6);
        try (NatsServerProcess nats = NatsServerProcess.start(dir);
             AsrServer a = node("a", nats.url());
             AsrServer b = node("b", nats.url());
             Http httpA = new Http(a.baseUri());
             Http httpB = new Http(b.baseUri())) {
            assertEquals(201, httpA.post("/v1/calls", "{\"callId\": \"review\"}").status());
            CallHandle call = a.calls().openCall(CallSpec.of("review", "fork"), TranscriptListener.NONE);
            ParticipantAudio alice = call.openParticipant(new ParticipantSpec("alice", "Alice", null));
            for (int off = 0; off < speech.length; off += 1600) {
                alice.push(PcmFrame.audio(Arrays.copyOfRange(speech, off, Math.min(speech.length, off + 1600)), off));
            }
            alice.close();
            Poll.until(() -> text(httpB, "/v1/calls/review/transcript?format=txt").contains("Alice"),
                    Duration.ofSeconds(60), () -> "node b serving the running call's finals");
            assertEquals(200, httpB.delete("/v1/calls/review").status());
            call.close();
            Http.Reply onA = httpA.get("/v1/calls/review/transcript?format=json");
            Http.Reply onB = httpB.get("/v1/calls/review/transcript?format=json");
            assertEquals(200, onB.status(), onB.body());
            assertEquals(onA.json(), onB.json(), "one transcript, whichever node answers");
            assertTrue(onB.json().toString().contains("\"ended\""), onB.body());
        }
    }

    private static String text(Http http, String path) {
        try {
            return http.get(path).body();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** The entry of {@code callId} in {@code GET /v1/calls}, or null. */
    private static JsonNode listed(Http http, String callId) {
        try {
            for (JsonNode c : http.get("/v1/calls").json().get("calls")) {
                if (c.get("callId").asText().equals(callId)) return c;
            }
            return null;
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
