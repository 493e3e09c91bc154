package org.streamasr.media.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.streamasr.media.CallHandle;
import org.streamasr.media.CallSpec;
import org.streamasr.media.ParticipantAudio;
import org.streamasr.media.ParticipantSpec;
import org.streamasr.media.PcmFrame;
import org.streamasr.media.TranscriptListener;
import org.streamasr.server.AsrServer;
import org.streamasr.testing.Http;
import org.streamasr.testing.ScriptedEngine;
import org.streamasr.testing.TestServers;
import org.streamasr.testing.WebSocketRecorder;

/**
 * A node at asr.cluster.max-streams (here without a cluster) refuses new calls on every path: WebSocket adapters
 * close with 1013, a SIP INVITE is answered 503 with Retry-After, {@code POST /v1/calls} 503 with Retry-After; each
 * refusal is counted, and the call it carries goes on (a second participant joins it). In this package for the
 * SIP test client ({@link RawSipClient}).
 */
class NodeFullRefusalTest {

    @Test
    void aFullNodeRefusesNewCallsOnEveryAdapterAndKeepsItsOwn() throws Exception {
        ScriptedEngine engine = new ScriptedEngine();
        try (AsrServer server = AsrServer.start(TestServers.config(Map.of("asr.cluster.max-streams", 1,
                "asr.sip.enabled", true, "asr.sip.bind", "127.0.0.1", "asr.sip.port", 0,
                "asr.sip.transports", List.of("tcp"))), engine, false);
             Http http = new Http(server.baseUri())) {
            CallHandle call = server.calls().openCall(CallSpec.of("busy", "fork"), TranscriptListener.NONE);
            ParticipantAudio alice = call.openParticipant(new ParticipantSpec("alice", "Alice", null));
            alice.push(PcmFrame.audio(new short[1600], 0));
            assertEquals("full", http.get("/health").json().get("status").asText());

            String ws = "ws://" + server.baseUri().getAuthority();
            for (String path : List.of("/vosk", "/mediajson/meeting-1")) {
                try (WebSocketRecorder socket = WebSocketRecorder.connect(URI.create(ws + path))) {
                    WebSocketRecorder.Event closed = socket.awaitClose(Duration.ofSeconds(10));
                    assertNotNull(closed, path + " not closed");
                    assertEquals(1013, closed.closeCode(), path + ": " + closed);
                    assertTrue(closed.closeReason().contains("node full"), path + ": " + closed.closeReason());
                }
            }

            try (RawSipClient sip = new RawSipClient("tcp", server.sipPort())) {
                sip.send(SipTestMessages.request(sip, "INVITE", "x", "full-1", 1, "f", null, "application/sdp",
                        SipTestMessages.offer(40000, "0")));
                RawSipClient.Message answer = sip.awaitStatus(200);
                assertNotNull(answer, "no answer to the INVITE");
                assertEquals(503, answer.status(), answer.startLine());
                assertNotNull(answer.header("retry-after"), "Retry-After");
            }

            Http.Reply refused = http.post("/v1/calls", "{\"rtp\": {\"codec\": \"PCMU\"}}");
            assertEquals(503, refused.status(), refused.body());
            assertTrue(refused.headers().firstValue("Retry-After").isPresent(), "Retry-After");
            assertTrue(refused.json().get("error").get("message").asText().contains("node full"), refused.body());

            CallHandle joined = server.calls().openCall(CallSpec.of("busy", "fork"), TranscriptListener.NONE);
            joined.openParticipant(new ParticipantSpec("bob", "Bob", null)).push(PcmFrame.audio(new short[1600], 0));
            assertEquals(2, http.get("/v1/calls/busy").json().get("participants").size(), "the live call goes on");

            String metrics = http.get("/metrics").body();
            assertTrue(metrics.contains("asr_media_dropped_total{component=\"calls\",reason=\"node-full\"} 4.0"),
                    metrics.lines().filter(l -> l.contains("node-full")).toList().toString());
            joined.close();
            call.close();
        }
    }
}
