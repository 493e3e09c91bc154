package org.streamasr.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.streamasr.server.AsrServer;
import org.streamasr.testing.SharedFixtures;
import org.streamasr.testing.TestServers;
import org.streamasr.testing.WordErrorRate;
import org.streamasr.testing.RequiredTools;

/**
 * The official {@code @fal-ai/client} 1.10.1 from npm, in Node, against a real server on the real sphinx engine,
 * through the client's proxy protocol: storage upload, subscribe with logs and queue updates, stream, queue
 * submit/status/result with a signed webhook, and a validation error. The client is installed into the git-ignored
 * integration-tests/node/node_modules by {@code npm ci} on first run (needs the Debian packages nodejs and npm).
 */
class FalClientEndToEndTest {
    static final String KEY = "it-fal-key";
    static final String SECRET = "it-webhook-secret";
    static final Path CLIP = Path.of("/usr/share/pocketsphinx/test/data/librivox/sense_and_sensibility_01_austen_64kb-0890.wav");
    static final String REFERENCE = "unless to be rather cold hearted and rather selfish is to be ill disposed";

    @Test
    void theOfficialClientRunsItsSnippetsThroughTheProxy() throws Exception {
        RequiredTools.command("node");
        RequiredTools.command("npm");
        RequiredTools.file(CLIP, "pocketsphinx-testdata");
        Path nodeDir = SharedFixtures.repoRoot().resolve("integration-tests/node");
        installClient(nodeDir);
        JsonNode out;
        try (AsrServer server = AsrServer.start(TestServers.config(Map.of(
                "asr.engine.name", "sphinx", "asr.engine.stream-buffer", "300s",
                "asr.api.keys", List.of(KEY), "asr.api.webhooks.secret", SECRET,
                "asr.api.fetch.allow-private-addresses", true)))) {
            String stdout = run(nodeDir, List.of("node", "fal-client-e2e.mjs", server.baseUri().toString(), KEY,
                    CLIP.toString(), SECRET), 300);
            out = new ObjectMapper().readTree(stdout);
        }

        assertTrue(out.get("uploadUrl").asText().contains("/storage/files/"), out.toString());

        JsonNode subscribe = out.get("subscribe");
        String text = subscribe.get("data").get("output").asText();
        assertFalse(subscribe.get("data").get("partial").asBoolean());
        double wer = WordErrorRate.score(REFERENCE, text).rate();
        assertTrue(wer <= 0.5, "word error rate " + wer + ": '" + text + "'");
        assertTrue(text.contains("cold hearted"), text);
        assertFalse(subscribe.get("requestId").asText().isEmpty());
        List<String> updates = new ArrayList<>();
        subscribe.get("updates").forEach(u -> updates.add(u.asText()));
        assertEquals("COMPLETED", updates.get(updates.size() - 1), updates.toString());

        JsonNode events = out.get("stream").get("events");
        JsonNode done = out.get("stream").get("done");
        assertEquals(text, done.get("output").asText(), "the stream ends with the same transcript");
        assertFalse(done.get("partial").asBoolean());
        assertTrue(events.size() >= 2, "partials before the final: " + events);
        for (int i = 0; i < events.size() - 1; i++) assertTrue(events.get(i).get("partial").asBoolean(), events.toString());

        JsonNode queue = out.get("queue");
        assertEquals("COMPLETED", queue.get("status").get("status").asText());
        assertTrue(queue.get("status").get("logs").toString().contains("transcribed 100%"), queue.toString());
        assertEquals(queue.get("requestId").asText(), queue.get("resultRequestId").asText());
        assertTrue(WordErrorRate.score(REFERENCE, queue.get("data").get("output").asText()).rate() <= 0.5, queue.toString());

        JsonNode hooks = out.get("webhooks");
        assertEquals(1, hooks.size(), hooks.toString());
        assertTrue(hooks.get(0).get("valid").asBoolean(), "the signature verifies in Node: " + hooks);
        assertEquals(queue.get("requestId").asText(), hooks.get(0).get("body").get("request_id").asText());
        assertEquals("OK", hooks.get(0).get("body").get("status").asText());
        assertEquals(queue.get("data"), hooks.get(0).get("body").get("payload"));

        JsonNode validation = out.get("validation");
        assertEquals("ValidationError", validation.get("name").asText(), validation.toString());
        assertEquals(422, validation.get("status").asInt());
        assertEquals("[\"body\",\"language\"]", validation.get("fields").get(0).get("loc").toString());
    }

    /** npm ci (from the committed package-lock.json) unless the pinned client is already there. */
    static void installClient(Path nodeDir) throws IOException, InterruptedException {
        Path pkg = nodeDir.resolve("node_modules/@fal-ai/client/package.json");
        if (Files.exists(pkg) && Files.readString(pkg).contains("\"version\": \"1.10.1\"")) return;
        run(nodeDir, List.of("npm", "ci", "--no-audit", "--no-fund"), 300);
    }

    static String run(Path dir, List<String> cmd, int timeoutSeconds) throws IOException, InterruptedException {
        Path err = Files.createTempFile("it-node-", ".log");
        try {
            Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectError(err.toFile()).start();
            p.getOutputStream().close();
            byte[] stdout = p.getInputStream().readAllBytes();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(cmd + " timed out; stderr:\n" + Files.readString(err));
            }
            if (p.exitValue() != 0) {
                throw new AssertionError(cmd + " exited " + p.exitValue() + "; stderr:\n" + Files.readString(err));
            }
            return new String(stdout, StandardCharsets.UTF_8);
        } finally {
            Files.deleteIfExists(err);
        }
    }
}
