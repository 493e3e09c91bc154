package org.streamasr.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.streamasr.tools.demo.DemoCall;
import org.streamasr.tools.demo.DemoConversation;
import org.streamasr.tools.scoring.WordErrors;
import org.streamasr.server.AsrServer;
import org.streamasr.testing.TestServers;
import org.streamasr.testing.RequiredTools;

/**
 * The demo path end to end: a real server on the real sphinx engine, a bridge sending two participants' LibriVox
 * speech as MEDIAJSON with stereo Opus payloads, and a caption subscriber over WebSocket. The captions must carry
 * the recognised words, per participant and under the display name the bridge gave, with partials before their
 * finals.
 */
class DemoCallEndToEndTest {

    /**
     * The real engine on a shared, loaded machine: a deep stream buffer and a long flush, so a slow moment costs time,
     * never words (the assertions are about content, not speed).
     */
    static final Map<String, Object> UNHURRIED = Map.of("asr.engine.name", "sphinx", "asr.engine.stream-buffer", "300s",
            "asr.calls.finish-timeout", "300s");

    @Test
    void aJitsiStyleCallIsTranscribedIntoLiveCaptions() throws Exception {
        RequiredTools.file(DemoConversation.DEBIAN_CLIPS.resolve("transcription"), "pocketsphinx-testdata");
        List<DemoConversation.Participant> people = DemoConversation.aliceAndBob(DemoConversation.DEBIAN_CLIPS, 4);
        List<JsonNode> events = new CopyOnWriteArrayList<>();
        DemoCall.Result result;
        try (AsrServer server = AsrServer.start(TestServers.config(UNHURRIED))) {
            result = DemoCall.run(server.baseUri(), null, "it-demo", people, 1.5, events::add);
        }
        assertTrue(result.closeReason().startsWith("1000"), result.closeReason());
        assertEquals("ended", events.get(events.size() - 1).path("type").asText());

        String alice = result.transcripts().getOrDefault("Alice", "");
        String bob = result.transcripts().getOrDefault("Bob", "");
        // Words pocketsphinx gets right on these clips (its baseline WER here is about 0.4).
        assertTrue(alice.contains("cold hearted"), "Alice: " + alice);
        assertTrue(bob.contains("young man"), "Bob: " + bob);
        assertTrue(bob.contains("he might even have been made"), "Bob: " + bob);
        int errors = 0;
        int words = 0;
        for (DemoConversation.Participant p : people) {
            errors += WordErrors.errors(p.reference(), result.transcripts().getOrDefault(p.name(), ""));
            words += WordErrors.words(p.reference()).size();
        }
        assertTrue(errors <= 0.7 * words, "word error rate " + errors + "/" + words);

        // Captions and the results back to the bridge name each endpoint by the display name its start event gave.
        Map<String, String> names = Map.of(people.get(0).endpointId(), "Alice", people.get(1).endpointId(), "Bob");
        for (JsonNode e : events) {
            if (e.path("type").asText().equals("ended")) continue;
            assertEquals(names.get(e.path("participant").asText()), e.path("name").asText(), e.toString());
        }
        assertEquals(java.util.Set.of("Alice", "Bob"), result.namesToBridge());

        // Per participant: seq counts up by one, and every final comes after the partials of its utterance.
        for (String who : List.of("Alice", "Bob")) {
            long seq = 0;
            java.util.Set<String> finished = new java.util.HashSet<>();
            for (JsonNode e : events) {
                if (!who.equals(e.path("name").asText())) continue;
                assertEquals(seq + 1, e.path("seq").asLong(), e.toString());
                seq++;
                String utterance = e.path("utteranceId").asText();
                assertTrue(!finished.contains(utterance), "an event after its utterance's final: " + e);
                if (e.path("type").asText().equals("final")) finished.add(utterance);
            }
            assertTrue(seq >= 3, who + " got " + seq + " events");
        }
        assertTrue(result.partials() > 0 && result.finals() >= 2, result.toString());
        assertTrue(result.resultsToBridge() > 0, "the bridge got transcription-result messages back");
    }
}
