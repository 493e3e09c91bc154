package org.streamasr.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.streamasr.media.CallHandle;
import org.streamasr.media.CallSpec;
import org.streamasr.media.ParticipantSpec;
import org.streamasr.media.PcmFrame;
import org.streamasr.media.TranscriptListener;
import org.streamasr.testing.Http;
import org.streamasr.testing.ScriptedEngine;
import org.streamasr.testing.TestServers;

/** The HTTP side of the server: calls API, health, metrics, the captions page. */
class AsrServerTest {
    private final ScriptedEngine engine = new ScriptedEngine();
    private AsrServer server;
    private Http http;

    @BeforeEach
    void start() throws Exception {
        server = AsrServer.start(TestServers.config(), engine, false);
        http = new Http(server.baseUri());
    }

    @AfterEach
    void stop() {
        if (http != null) http.close();
        if (server != null) server.close();
    }

    @Test
    void healthAndPageAndMetrics() throws Exception {
        Http.Reply health = http.get("/health");
        assertEquals(200, health.status());
        assertEquals("ok", health.json().get("status").asText());
        assertEquals("scripted", health.json().get("engine").asText());

        Http.Reply page = http.get("/");
        assertEquals(200, page.status());
        assertTrue(page.body().contains("<script src=\"app.js\">"), page.body());
        assertEquals(200, http.get("/app.js").status());
        assertEquals(404, http.get("/no-such-file.html").status());

        Http.Reply metrics = http.get("/metrics");
        assertEquals(200, metrics.status());
        for (String name : new String[] {"asr_calls_active", "asr_streams_active", "asr_chunk_latency_seconds",
                "asr_caption_subscribers_evicted_total", "asr_event_queue_depth", "asr_audio_pending_seconds"}) {
            assertTrue(metrics.body().contains(name), name + " missing from\n" + metrics.body());
        }
    }

    @Test
    void createListDeleteACall() throws Exception {
        Http.Reply created = http.post("/v1/calls", "{\"callId\":\"standup\",\"language\":\"en-US\"}");
        assertEquals(201, created.status(), created.body());
        JsonNode c = created.json();
        assertEquals("standup", c.get("callId").asText());
        String token = c.get("token").asText();
        assertTrue(token.length() >= 32);
        assertEquals("ws://" + server.baseUri().getAuthority() + "/v1/calls/standup/captions?token=" + token,
                c.get("captionsUrl").asText());
        assertEquals("/v1/calls/standup", created.headers().firstValue("Location").orElseThrow());

        // An adapter joins the call and a participant speaks.
        CallHandle joined = server.calls().openCall(CallSpec.of("standup", "fork"), TranscriptListener.NONE);
        joined.openParticipant(new ParticipantSpec("alice", "Alice", null))
                .push(PcmFrame.audio(new short[16_000], 0));

        JsonNode list = http.get("/v1/calls").json().get("calls");
        assertEquals(1, list.size());
        JsonNode call = list.get(0);
        assertEquals("standup", call.get("callId").asText());
        assertEquals("api", call.get("source").asText());
        assertEquals("Alice", call.get("participants").get(0).get("name").asText());
        assertEquals(1000, call.get("participants").get(0).get("audioMs").asLong());
        assertFalse(call.get("startedAt").asText().isEmpty());

        engine.stream("standup", "alice").partial("not yet final");
        Http.Reply deleted = http.delete("/v1/calls/standup");
        assertEquals(200, deleted.status(), deleted.body());
        assertEquals("deleted", deleted.json().get("reason").asText());
        // The partial was flushed as a final before DELETE answered.
        assertTrue(engine.stream("standup", "alice").isFinished());
        assertEquals(0, http.get("/v1/calls").json().get("calls").size());
        assertEquals(404, http.delete("/v1/calls/standup").status());
        joined.close();
    }

    @Test
    void aCallThatNamesNoLanguageReportsTheOneInEffect() throws Exception {
        Http.Reply created = http.post("/v1/calls", "{\"callId\":\"no-lang\"}");
        assertEquals(201, created.status(), created.body());
        assertEquals("auto", created.json().get("language").asText(), created.body());
        server.calls().openCall(CallSpec.of("no-lang", "fork"), TranscriptListener.NONE)
                .openParticipant(new ParticipantSpec("bob", "Bob", null)).push(PcmFrame.audio(new short[1600], 0));
        JsonNode call = http.get("/v1/calls/no-lang").json();
        assertEquals("auto", call.get("language").asText(), call.toString());
        assertEquals("auto", call.get("participants").get(0).get("language").asText(), call.toString());
        assertEquals(200, http.delete("/v1/calls/no-lang").status());
    }

    @Test
    void badRequestsGetClearErrors() throws Exception {
        assertError(http.post("/v1/calls", "{not json"), 400, "not valid JSON");
        assertError(http.post("/v1/calls", "[1,2]"), 400, "JSON object");
        assertError(http.post("/v1/calls", "{\"langauge\":\"en\"}"), 400, "unknown field 'langauge'");
        assertError(http.post("/v1/calls", "{\"language\":\"xx-XX\"}"), 400, "unsupported language 'xx-XX'");
        assertError(http.post("/v1/calls", "{\"language\":42}"), 400, "'language' must be a string");
        assertError(http.post("/v1/calls", "{\"acceleration\":\"warp\"}"), 400, "unsupported acceleration 'warp'");
        assertError(http.post("/v1/calls", "{\"acceleration\":\"high\"}"), 400, "cannot serve it");
        assertError(http.post("/v1/calls", "{\"engine\":\"nope\"}"), 400, "unknown engine 'nope'");
        assertError(http.post("/v1/calls", "{\"model\":\"big\"}"), 400, "unknown model 'big'");
        assertError(http.post("/v1/calls", "{\"callId\":\"a/b\"}"), 400, "invalid call id");
        assertError(http.post("/v1/calls", "{\"rtp\":{\"codec\":\"gsm\"}}"), 400, "rtp.codec 'gsm'");
        assertError(http.post("/v1/calls", "{\"rtp\":{\"codec\":\"PCMU\",\"ptime\":20}}"), 400, "unknown field 'rtp.ptime'");
        assertError(http.post("/v1/calls", "{\"rtp\":{\"codec\":\"PCMU\",\"audioLevelExtension\":300}}"), 400,
                "rtp.audioLevelExtension 300 is not a header extension id");
        assertError(http.post("/v1/calls", "{\"rtp\":{\"codec\":\"PCMU\",\"audioLevelExtension\":\"1\"}}"), 400,
                "'rtp.audioLevelExtension' must be an integer");
        assertError(http.post("/v1/calls", "x".repeat(70_000)), 413, "over");
        assertError(http.put("/v1/calls", "{}"), 405, "GET, POST");
        assertError(http.get("/v1/calls/nope"), 404, "no live call 'nope'");
        assertEquals(201, http.post("/v1/calls", "{\"callId\":\"dup\"}").status());
        assertError(http.post("/v1/calls", "{\"callId\":\"dup\"}"), 409, "already exists");
        assertEquals(200, http.delete("/v1/calls/dup").status());
    }

    @Test
    void anRtpCallGetsAPortWhosePacketsReachTheEngine() throws Exception {
        Http.Reply created = http.post("/v1/calls",
                "{\"callId\":\"pbx-1\",\"rtp\":{\"codec\":\"L16\",\"payloadType\":96,\"sampleRate\":16000,"
                        + "\"audioLevelExtension\":1}}");
        assertEquals(201, created.status(), created.body());
        int port = created.json().get("rtpPort").asInt();
        assertTrue(port > 0);
        assertEquals("rtp", http.get("/v1/calls/pbx-1").json().get("source").asText());
        try (java.net.DatagramSocket udp = new java.net.DatagramSocket()) {
            for (int seq = 0; seq < 50; seq++) {
                java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(12 + 8 + 640);
                b.put((byte) 0x90).put((byte) 96).putShort((short) seq).putInt(seq * 320).putInt(0x1234);
                b.putShort((short) 0xBEDE).putShort((short) 1).putInt(0x10_1e_0000); // RFC 6464 level -30 dBov, id 1
                for (int i = 0; i < 320; i++) b.putShort((short) (1000 * Math.sin(i / 5.0)));
                udp.send(new java.net.DatagramPacket(b.array(), b.capacity(),
                        java.net.InetAddress.getLoopbackAddress(), port));
            }
        }
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (engine.streams().isEmpty() || engine.streams().get(0).acceptedSamples() < 8_000) {
            assertTrue(System.nanoTime() < deadline, "RTP audio did not reach the engine");
            Thread.sleep(10);
        }
        assertEquals(1, http.get("/v1/calls/pbx-1").json().get("participants").size());
        assertEquals(200, http.delete("/v1/calls/pbx-1").status());
    }

    @Test
    void apiKeysGuardTheCallsApi() throws Exception {
        server.close();
        server = AsrServer.start(TestServers.config(Map.of("asr.server.api-keys", java.util.List.of("s3cret"))),
                engine, false);
        http.close();
        http = new Http(server.baseUri());
        assertEquals(401, http.get("/v1/calls").status());
        assertEquals(401, http.get("/v1/calls", "Authorization", "Bearer wrong").status());
        assertEquals(200, http.get("/v1/calls", "Authorization", "Bearer s3cret").status());
        assertEquals(200, http.get("/v1/calls", "Authorization", "Key s3cret").status(), "the hosted API's scheme");
        assertEquals(401, http.get("/v1/calls", "Authorization", "Key wrong").status());
        assertEquals(200, http.get("/health").status());
    }

    @Test
    void apiKeysFromTheEnvironmentGuardTheCallsAndTheHostedApi() throws Exception {
        server.close();
        server = AsrServer.start(TestServers.config(Map.of("ASR_API_KEYS", "env-key-1, env-key-2"), Map.of()),
                engine, false);
        http.close();
        http = new Http(server.baseUri());
        assertEquals(200, http.get("/v1/calls", "Authorization", "Bearer env-key-2").status());
        assertEquals(401, http.get("/v1/calls", "Authorization", "Bearer other").status());
        String status = "/queue/nvidia/nemotron-asr-multilingual/requests/no-such-request/status";
        assertEquals(404, http.get(status, "Authorization", "Key env-key-1").status(), "a key: the request is unknown");
        Http.Reply refused = http.get(status, "Authorization", "Key other");
        assertEquals(401, refused.status(), refused.body());
        assertEquals(401, http.get(status).status());
    }

    @Test
    void shutdownTurnsHealthAwayAndEndsCalls() throws Exception {
        assertEquals(201, http.post("/v1/calls", "{\"callId\":\"c\"}").status());
        var call = server.calls().find("c").orElseThrow();
        server.close();
        assertEquals("shutdown", call.ended().getNow("still running"));
    }

    private static void assertError(Http.Reply r, int status, String fragment) {
        assertEquals(status, r.status(), r.body());
        String message = r.json().get("error").get("message").asText();
        assertTrue(message.contains(fragment), "'" + message + "' should contain '" + fragment + "'");
    }
}
