package org.streamasr.media.jitsi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.websocket.CloseReason;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.streamasr.media.MediaMetrics;
import org.streamasr.media.adapter.OutboundQueue;
import org.streamasr.media.adapter.Poll;
import org.streamasr.media.adapter.TyrusTestServer;
import org.streamasr.media.adapter.WsLimits;
import org.streamasr.media.adapter.WsTestClient;
import org.streamasr.testing.RecordingCallSink;

/** The MEDIAJSON endpoint over a real socket (Tyrus server and client). */
class MediaJsonEndpointTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final RecordingCallSink sink = new RecordingCallSink();
    private final MediaMetrics metrics = new MediaMetrics();
    private final org.streamasr.media.pipeline.MediaExecutors pool = org.streamasr.media.pipeline.MediaExecutors.create(2);
    private TyrusTestServer server;

    @BeforeEach
    void start() throws Exception {
        MediaJsonConfig d = MediaJsonConfig.defaults();
        MediaJsonConfig config = new MediaJsonConfig(d.paths(), d.defaultLanguage(), d.sendInterim(), d.interimStability(),
                d.concealCap(), d.silenceCap(), d.maxPayloadBytes(), d.maxSources(),
                new WsLimits(64 * 1024, OutboundQueue.Limits.defaults(), WsLimits.defaults().idleTimeout()));
        server = new TyrusTestServer(MediaJsonEndpoints.create(sink, metrics, pool.cpu(), config));
    }

    @AfterEach
    void stop() {
        server.close();
        pool.close();
    }

    @Test
    void bridgeConversationOverARealSocket() throws Exception {
        try (WsTestClient bridge = WsTestClient.connect(server.uri("/mediajson/meeting-7?lang=en-US"))) {
            bridge.sendText(MediaJsonSessionTest.start("ep1-42", "ep1"));
            for (int i = 0; i < 10; i++) bridge.sendText(MediaJsonSessionTest.media("ep1-42", i, 320L * i, (short) i));
            bridge.sendText("{\"event\":\"ping\",\"id\":7}");
            assertEquals("{\"event\":\"pong\",\"id\":7}", bridge.awaitText(0));

            RecordingCallSink.Call call = sink.awaitCall(0);
            assertEquals("meeting-7", call.callId());
            assertEquals("en-US", call.spec.language());
            RecordingCallSink.Participant ep1 = call.awaitParticipant("ep1");
            Poll.until(() -> ep1.frames().size() == 10, "10 frames expected, got " + ep1.frames().size());
            assertEquals(3200, ep1.endTime());

            call.emit("ep1", "u-1", false, "hello", null);
            call.emit("ep1", "u-1", true, "hello world", null);
            JsonNode partial = JSON.readTree(bridge.awaitText(1));
            JsonNode fin = JSON.readTree(bridge.awaitText(2));
            assertTrue(partial.get("is_interim").asBoolean());
            assertEquals("hello world", fin.get("transcript").get(0).get("text").asText());
            assertEquals("en-US", fin.get("language").asText());

            call.onClose(() -> call.emit("ep1", "u-2", true, "goodbye", "en-US"));
            bridge.sendText("{\"event\":\"session-end\"}");
            CloseReason closed = bridge.awaitClose();
            assertEquals(CloseReason.CloseCodes.NORMAL_CLOSURE, closed.getCloseCode());
            assertTrue(JSON.readTree(bridge.awaitText(3)).get("transcript").get(0).get("text").asText().equals("goodbye"),
                    "the final sent when the call closed arrives before the close");
            assertTrue(ep1.isClosed());
        }
        assertEquals(0, metrics.dropCounter("mediajson").count("internal-error"));
    }

    @Test
    void oversizedMessageIsDroppedAndCountedAndTheConnectionGoesOn() throws Exception {
        try (WsTestClient bridge = WsTestClient.connect(server.uri("/transcribe?sessionId=s1"))) {
            bridge.sendText("{\"event\":\"info\",\"pad\":\"" + "x".repeat(70_000) + "\"}");
            bridge.sendText("{\"event\":\"ping\",\"id\":1}");
            assertEquals("{\"event\":\"pong\",\"id\":1}", bridge.awaitText(0));
            assertEquals(1, metrics.dropCounter("mediajson").count("message-too-big"));
            assertEquals("s1", sink.awaitCall(0).callId());
        }
    }

    @Test
    void rejectedCallClosesTheConnectionWithTheSinksReason() throws Exception {
        sink.rejectCalls("at capacity");
        try (WsTestClient bridge = WsTestClient.connect(server.uri("/mediajson"))) {
            CloseReason closed = bridge.awaitClose();
            assertEquals(1013, closed.getCloseCode().getCode());
            assertEquals("at capacity", closed.getReasonPhrase());
        }
        assertEquals(List.of(), sink.calls());
    }

    @Test
    void peerClosingTheSocketEndsTheCall() throws Exception {
        WsTestClient bridge = WsTestClient.connect(server.uri("/mediajson"));
        bridge.sendText(MediaJsonSessionTest.start("ep1-42", "ep1"));
        RecordingCallSink.Call call = sink.awaitCall(0);
        call.awaitParticipant("ep1");
        bridge.close();
        Poll.until(call::isClosed, "call closed after the bridge disconnected");
        Poll.until(() -> call.participant("ep1").isClosed(), "participant closed");
    }
}
