package org.streamasr.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.streamasr.media.adapter.TestAudio;
import org.streamasr.media.adapter.WsTestClient;
import org.streamasr.media.jitsi.BrowserOpusEncoder;
import org.streamasr.media.jitsi.MediaJsonCapture;
import org.streamasr.server.AsrServer;
import org.streamasr.stream.CallSession;
import org.streamasr.testing.TestServers;

/**
 * Issue 12, item 1, on the default sphinx engine (32 streams): one MEDIAJSON connection opens 32 sources, as many
 * as the engine runs, and keeps them; a second connection's speaker must still be transcribed. The first call gets
 * its share (asr.calls.max-streams-per-call, a quarter of the 30 streams left beside the API's two workers); its
 * other sources are refused one by one and counted. Before, the engine's 32 decoders went to the first call and the
 * second call failed ("sphinx engine at capacity") with no transcript.
 */
class CompetingConnectionsSphinxTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int SOURCES = 32;

    @Test
    void oneConnectionsSourcesCannotStarveAnotherCall() throws Exception {
        try (AsrServer server = AsrServer.start(TestServers.config(Map.of("asr.engine.name", "sphinx",
                "asr.calls.finish-timeout", "120s")))) {
            String ws = server.baseUri().toString().replaceFirst("^http", "ws");
            var drops = server.mediaMetrics().dropCounter("calls");
            try (WsTestClient hog = WsTestClient.connect(URI.create(ws + "/mediajson/hog?lang=en-US"))) {
                List<byte[]> silence = BrowserOpusEncoder.encode(new short[3200]);
                for (int s = 0; s < SOURCES; s++) {
                    String tag = "src" + s + "-" + (1000 + s);
                    hog.sendText("{\"event\":\"start\",\"start\":{\"tag\":\"" + tag + "\",\"mediaFormat\":{\"encoding\":"
                            + "\"opus\",\"sampleRate\":48000,\"channels\":2},\"customParameters\":{\"endpointId\":\"src" + s
                            + "\"}}}");
                    for (int i = 0; i < silence.size(); i++) {
                        hog.sendText("{\"event\":\"media\",\"media\":{\"tag\":\"" + tag + "\",\"chunk\":\"" + (10 + i)
                                + "\",\"timestamp\":\"" + (960L * i) + "\",\"payload\":\""
                                + Base64.getEncoder().encodeToString(silence.get(i)) + "\"}}");
                    }
                }
                // every source was either given a stream that has audio (a sphinx decoder each) or refused
                RecordingWait.until(Duration.ofSeconds(60), "the hog's sources to be admitted or refused", () -> {
                    CallSession hogCall = server.calls().find("hog").orElse(null);
                    if (hogCall == null) return false;
                    List<CallSession.ParticipantInfo> ps = hogCall.participants();
                    return ps.size() + drops.count("engine-share") == SOURCES
                            && ps.stream().allMatch(p -> p.audioMillis() > 0);
                });
                int admitted = server.calls().find("hog").orElseThrow().participants().size();

                MediaJsonCapture alice = MediaJsonCapture.generate(List.of(new MediaJsonCapture.Speaker("alice", 305123557L,
                        TestAudio.clip("sense_and_sensibility_01_austen_64kb-0890.wav"), 0, List.of(), -1, 0)));
                StringBuilder finals = new StringBuilder();
                String closed;
                try (WsTestClient victim = WsTestClient.connect(URI.create(ws + "/mediajson/victim?lang=en-US"))) {
                    alice.replay(victim);
                    victim.sendText("{\"event\":\"session-end\"}");
                    var reason = victim.awaitClose(Duration.ofMinutes(3));
                    closed = reason == null ? "not closed" : reason.getCloseCode().getCode() + " " + reason.getReasonPhrase();
                    for (String t : victim.texts()) {
                        JsonNode r = JSON.readTree(t);
                        if (!r.path("is_interim").asBoolean()) finals.append(' ').append(r.path("transcript").path(0).path("text").asText());
                    }
                }
                assertTrue(finals.toString().contains("cold hearted"), "the second call was transcribed: " + finals
                        + " (its socket: " + closed + ")");
                assertEquals(7, admitted, "the first call got its share: a quarter of 32 - 2");
                assertEquals(SOURCES - admitted, drops.count("engine-share"), "the rest refused one by one, counted");
            }
        }
    }
}
