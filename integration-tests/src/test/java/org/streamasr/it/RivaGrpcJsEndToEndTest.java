package org.streamasr.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.streamasr.server.AsrServer;
import org.streamasr.testing.RequiredTools;
import org.streamasr.testing.SharedFixtures;
import org.streamasr.testing.TestServers;

/**
 * Riva's gRPC API through {@code @grpc/grpc-js} and {@code @grpc/proto-loader}, which load the project's own protos
 * (a second implementation reading them), against a real server on the sphinx engine: a WAV file streamed the way
 * NVIDIA's transcribe_file.py streams it gets interims and finals with words, and the engine's own transcript; a bad
 * config is INVALID_ARGUMENT, a wrong key UNAUTHENTICATED, and the server carries on.
 */
class RivaGrpcJsEndToEndTest {
    static final String KEY = "it-riva-key";
    static final Path CLIP = FalClientEndToEndTest.CLIP;

    @Test
    void grpcJsStreamsAWavFileAndGetsRivasResultsAndErrors() throws Exception {
        RequiredTools.command("node");
        RequiredTools.command("npm");
        RequiredTools.file(CLIP, "pocketsphinx-testdata");
        Path root = SharedFixtures.repoRoot();
        Path nodeDir = root.resolve("integration-tests/node");
        if (!Files.exists(nodeDir.resolve("node_modules/@grpc/grpc-js/package.json"))
                || !Files.exists(nodeDir.resolve("node_modules/@grpc/proto-loader/package.json"))) {
            FalClientEndToEndTest.run(nodeDir, List.of("npm", "ci", "--no-audit", "--no-fund"), 300);
        }
        String engineText = String.join(" ", EngineOwnTranscript.finals("sphinx", CLIP));
        assertFalse(engineText.isBlank());

        JsonNode out;
        try (AsrServer server = AsrServer.start(TestServers.config(Map.of("asr.engine.name", "sphinx",
                "asr.engine.stream-buffer", "300s", "asr.calls.finish-timeout", "300s",
                "asr.server.api-keys", List.of(KEY))))) {
            String stdout = FalClientEndToEndTest.run(nodeDir, List.of("node", "riva-e2e.mjs",
                    "127.0.0.1:" + server.rivaPort(), KEY, root.resolve("plugin/src/main/proto").toString(),
                    CLIP.toString()), 600);
            out = new ObjectMapper().readTree(stdout);
        }

        for (String run : List.of("speech", "afterErrors")) {
            JsonNode speech = out.get(run);
            assertEquals(0, speech.get("code").asInt(), speech.toString());
            List<String> finals = new ArrayList<>();
            boolean interim = false;
            int words = 0;
            for (JsonNode r : speech.get("results")) {
                JsonNode alt = r.get("alternatives").get(0);
                if (r.get("is_final").asBoolean()) {
                    finals.add(alt.get("transcript").asText());
                    for (JsonNode w : alt.get("words")) {
                        assertTrue(w.get("end_time").asInt() >= w.get("start_time").asInt(), w.toString());
                        words++;
                    }
                    assertEquals(1, r.get("channel_tag").asInt());
                } else {
                    interim = true;
                    double stability = r.get("stability").asDouble();
                    assertTrue(stability >= 0 && stability <= 1, r.toString());
                }
            }
            assertTrue(interim, "interim results: " + speech);
            assertEquals(engineText, String.join("", finals).strip(), run + ": finals joined as LiteLLM joins them");
            assertEquals(engineText.split(" ").length, words, "a word with times for every word");
        }
        assertEquals(3, out.get("badConfig").get("code").asInt(), "INVALID_ARGUMENT: " + out.get("badConfig"));
        assertTrue(out.get("badConfig").get("details").asText().contains("sample_rate_hertz"));
        assertEquals(16, out.get("wrongKey").get("code").asInt(), "UNAUTHENTICATED: " + out.get("wrongKey"));
        JsonNode models = out.get("models").get("model_config");
        assertTrue(models.size() > 0, out.get("models").toString());
        for (JsonNode m : models) {
            assertEquals("online", m.get("parameters").get("type").asText());
            assertEquals("en-US", m.get("parameters").get("language_code").asText());
        }
    }
}
