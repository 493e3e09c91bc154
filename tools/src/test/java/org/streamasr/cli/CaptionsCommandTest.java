package org.streamasr.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.streamasr.media.CallSpec;
import org.streamasr.media.ParticipantSpec;
import org.streamasr.media.PcmFrame;
import org.streamasr.media.TranscriptListener;
import org.streamasr.server.AsrServer;
import org.streamasr.testing.Http;
import org.streamasr.testing.ScriptedEngine;
import org.streamasr.testing.TestServers;

/** {@code bin/asr captions URL}: the README's way to follow a call without a separate WebSocket client. */
class CaptionsCommandTest {
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
        http.close();
        server.close();
    }

    @Test
    void printsACallsCaptionsUntilTheCallEnds() throws Exception {
        String url = http.post("/v1/calls", "{\"callId\":\"follow\"}").json().get("captionsUrl").asText();
        server.calls().openCall(CallSpec.of("follow", "fork"), TranscriptListener.NONE)
                .openParticipant(new ParticipantSpec("alice", "Alice", null)).push(PcmFrame.audio(new short[1600], 0));
        CompletableFuture<AsrMainTest.Run> run = CompletableFuture.supplyAsync(() -> AsrMainTest.run("captions", url));
        org.streamasr.media.adapter.Poll.until(() -> server.captions().subscriberCount() > 0, "subscribed");
        engine.stream("follow", "alice").partial("good morn");
        engine.stream("follow", "alice").fin("good morning everyone");
        assertEquals(200, http.delete("/v1/calls/follow").status());
        AsrMainTest.Run r = run.get(20, TimeUnit.SECONDS);
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("Alice ~ good morn"), r.out());
        assertTrue(r.out().contains("Alice : good morning everyone"), r.out());
        assertTrue(r.err().contains("captions closed: 1000"), r.err());
    }

    @Test
    void aUrlThatIsNoWebSocketIsOneErrorLine() {
        AsrMainTest.Run r = AsrMainTest.run("captions", "http://localhost:1/x");
        assertEquals(1, r.code());
        assertTrue(r.err().startsWith("error: URL must be a ws:// or wss:// captionsUrl"), r.err());
    }
}
