package org.streamasr.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.streamasr.media.CallHandle;
import org.streamasr.media.CallSpec;
import org.streamasr.media.ParticipantSpec;
import org.streamasr.media.PcmFrame;
import org.streamasr.media.TranscriptListener;
import org.streamasr.media.adapter.Poll;
import org.streamasr.server.AsrServer;
import org.streamasr.testing.Http;
import org.streamasr.testing.ScriptedEngine;
import org.streamasr.testing.TestServers;

/** asr.cluster.max-streams: a node carrying that many live streams answers /health 503 "full", and 200 again after. */
class NodeFullHealthTest {

    @Test
    void aNodeAtItsStreamLimitReportsItselfFullUntilAStreamEnds() throws Exception {
        ScriptedEngine engine = new ScriptedEngine();
        try (AsrServer server = AsrServer.start(TestServers.config(Map.of("asr.cluster.max-streams", 1,
                "asr.cluster.node-id", "n1")), engine, false);
             Http http = new Http(server.baseUri())) {
            assertEquals(200, http.get("/health").status());
            assertEquals("off", http.get("/health").json().get("cluster").asText());
            assertEquals("n1", http.get("/health").json().get("node").asText());
            CallHandle call = server.calls().openCall(CallSpec.of("busy", "fork"), TranscriptListener.NONE);
            call.openParticipant(new ParticipantSpec("alice", "Alice", null)).push(PcmFrame.audio(new short[1600], 0));
            Poll.until(() -> status(http) == 503, Duration.ofSeconds(10), () -> "/health turning 503");
            assertEquals("full", http.get("/health").json().get("status").asText());
            call.close();
            Poll.until(() -> status(http) == 200, Duration.ofSeconds(10), () -> "/health turning 200 again");
        }
    }

    private static int status(Http http) {
        try {
            return http.get("/health").status();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
