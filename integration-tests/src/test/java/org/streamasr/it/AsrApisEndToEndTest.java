package org.streamasr.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.streamasr.server.AsrServer;
import org.streamasr.testing.RequiredTools;
import org.streamasr.testing.SharedFixtures;
import org.streamasr.testing.TestServers;

/**
 * The official {@code openai} 7.60.0 and {@code @deepgram/sdk} 5.13.0 npm clients, unchanged except their base URL,
 * against a real server on the real sphinx engine: every OpenAI response format, streaming, models, and errors;
 * Deepgram pre-recorded from a file and from a URL, and errors. Transcripts must equal the engine's own on the same
 * clip ({@link EngineOwnTranscript}).
 */
class AsrApisEndToEndTest {
    static final String KEY = "it-apis-key";
    static final Path CLIP = FalClientEndToEndTest.CLIP;
    static String engineText;
    static List<String> engineFinals;
    static Path nodeDir;

    @BeforeAll
    static void reference() throws Exception {
        RequiredTools.command("node");
        RequiredTools.command("npm");
        RequiredTools.file(CLIP, "pocketsphinx-testdata");
        nodeDir = SharedFixtures.repoRoot().resolve("integration-tests/node");
        installClients(nodeDir);
        engineFinals = EngineOwnTranscript.finals("sphinx", CLIP);
        engineText = String.join(" ", engineFinals);
        assertFalse(engineText.isBlank());
    }

    static AsrServer server(Map<String, Object> extra) throws Exception {
        Map<String, Object> settings = new java.util.HashMap<>(Map.of(
                "asr.engine.name", "sphinx", "asr.engine.stream-buffer", "300s",
                "asr.api.keys", List.of(KEY), "asr.api.fetch.allow-private-addresses", true));
        settings.putAll(extra);
        return AsrServer.start(TestServers.config(settings));
    }

    static JsonNode runNode(String mode, AsrServer server, String base) throws Exception {
        String stdout = FalClientEndToEndTest.run(nodeDir, List.of("node", "asr-apis-e2e.mjs", mode, base, KEY,
                CLIP.toString()), 300);
        return new ObjectMapper().readTree(stdout);
    }

    @Test
    void openAiTranscriptionsInEveryFormatStreamingAndErrors() throws Exception {
        JsonNode out;
        try (AsrServer server = server(Map.of())) {
            out = runNode("openai-rest", server, server.baseUri().toString());
        }
        JsonNode f = out.get("formats");
        assertEquals(engineText, f.get("json").get("text").asText(), "json equals the engine's own transcript");
        assertEquals(engineText + "\n", f.get("text").asText());
        JsonNode verbose = f.get("verbose_json");
        assertEquals(engineText, verbose.get("text").asText());
        assertEquals("english", verbose.get("language").asText());
        assertTrue(verbose.get("duration").asDouble() > 1, verbose.toString());
        assertEquals(engineFinals.size(), verbose.get("segments").size(), verbose.toString());
        for (String field : List.of("id", "seek", "start", "end", "text", "tokens", "temperature", "avg_logprob",
                "compression_ratio", "no_speech_prob")) {
            assertTrue(verbose.get("segments").get(0).has(field), field);
        }
        List<String> words = new ArrayList<>();
        double last = -1;
        for (JsonNode w : verbose.get("words")) {
            words.add(w.get("word").asText());
            assertTrue(w.get("start").asDouble() >= last && w.get("end").asDouble() >= w.get("start").asDouble(), w.toString());
            last = w.get("start").asDouble();
        }
        assertEquals(engineText, String.join(" ", words), "the words spell the transcript");

        List<String[]> srt = cues(f.get("srt").asText(), ",");
        List<String[]> vtt = cues(f.get("vtt").asText().replaceFirst("^WEBVTT\n\n", ""), ".");
        assertTrue(f.get("vtt").asText().startsWith("WEBVTT\n\n"));
        assertEquals(engineFinals, srt.stream().map(c -> c[2]).toList(), "one SRT cue per utterance");
        assertEquals(engineFinals, vtt.stream().map(c -> c[2]).toList(), "one VTT cue per utterance");
        assertEquals(verbose.get("segments").get(0).get("start").asDouble(), seconds(srt.get(0)[0]), 0.001);

        JsonNode stream = out.get("stream");
        StringBuilder deltas = new StringBuilder();
        for (int i = 0; i < stream.size() - 1; i++) {
            assertEquals("transcript.text.delta", stream.get(i).get("type").asText(), stream.toString());
            deltas.append(stream.get(i).get("delta").asText());
        }
        JsonNode done = stream.get(stream.size() - 1);
        assertEquals("transcript.text.done", done.get("type").asText());
        assertEquals(engineText, done.get("text").asText());
        assertEquals(engineText, deltas.toString(), "the deltas join to the text");

        List<String> ids = new ArrayList<>();
        out.get("models").forEach(m -> ids.add(m.get("id").asText()));
        assertTrue(ids.containsAll(List.of("whisper-1", "gpt-4o-transcribe", "nova-3", "sphinx")), ids.toString());

        JsonNode e = out.get("errors");
        assertEquals("AuthenticationError", e.get("wrongKey").get("name").asText(), e.toString());
        assertEquals("invalid_api_key", e.get("wrongKey").get("code").asText());
        assertEquals("NotFoundError", e.get("unknownModel").get("name").asText(), e.toString());
        assertTrue(e.get("unknownModel").get("message").asText().contains("whisper-1"), "names what is served: " + e);
        assertEquals("BadRequestError", e.get("language").get("name").asText(), e.toString());
        assertEquals("language", e.get("language").get("param").asText());
        assertTrue(e.get("language").get("message").asText().contains("en-US"), e.toString());
        assertEquals("BadRequestError", e.get("notAudio").get("name").asText(), e.toString());
        assertEquals("BadRequestError", e.get("format").get("name").asText(), e.toString());
        assertEquals(engineText, out.get("after").get("text").asText(), "the server carries on");
    }

    @Test
    void deepgramPrerecordedFromAFileAndAUrlAndErrors() throws Exception {
        JsonNode out;
        try (AsrServer server = server(Map.of())) {
            out = runNode("deepgram-rest", server, server.baseUri().toString());
        }
        for (String which : List.of("file", "url")) {
            JsonNode r = out.get(which);
            JsonNode alt = r.get("results").get("channels").get(0).get("alternatives").get(0);
            assertEquals(engineText, alt.get("transcript").asText(), which + ": " + r);
            assertFalse(r.get("metadata").get("request_id").asText().isEmpty());
            assertEquals(64, r.get("metadata").get("sha256").asText().length());
            assertTrue(r.get("metadata").get("duration").asDouble() > 1);
            List<String> words = new ArrayList<>();
            alt.get("words").forEach(w -> words.add(w.get("word").asText()));
            assertEquals(engineText, String.join(" ", words));
        }
        JsonNode file = out.get("file");
        assertTrue(file.get("results").get("channels").get(0).get("alternatives").get(0).get("words").get(0)
                .has("punctuated_word"), "punctuate=true");
        assertEquals(engineFinals.size(), file.get("results").get("utterances").size(), "utterances=true");
        assertEquals("nova-3", file.get("metadata").get("model_info").elements().next().get("name").asText());

        JsonNode e = out.get("errors");
        assertEquals(401, e.get("wrongKey").get("status").asInt(), e.toString());
        assertEquals("INVALID_AUTH", e.get("wrongKey").get("body").get("err_code").asText(), e.toString());
        assertEquals(400, e.get("notAudio").get("status").asInt(), e.toString());
        assertTrue(e.get("notAudio").get("body").get("err_msg").asText().startsWith("failed to process audio"), e.toString());
        assertEquals(400, e.get("unknownModel").get("status").asInt(), e.toString());
        assertTrue(e.get("unknownModel").get("body").get("err_msg").asText().contains("nova-3"), e.toString());
        assertEquals(400, e.get("metadataUrl").get("status").asInt(), e.toString());
        assertEquals(engineText, out.get("after").get("results").get("channels").get(0).get("alternatives").get(0)
                .get("transcript").asText(), "the server carries on");
    }

    /** SRT or VTT cues: {start, end, text}. */
    static List<String[]> cues(String text, String msSeparator) {
        Pattern p = Pattern.compile("(?:\\d+\\n)?(\\d\\d:\\d\\d:\\d\\d" + Pattern.quote(msSeparator) + "\\d{3}) --> "
                + "(\\d\\d:\\d\\d:\\d\\d" + Pattern.quote(msSeparator) + "\\d{3})\\n(.+)\\n\\n");
        Matcher m = p.matcher(text);
        List<String[]> out = new ArrayList<>();
        int end = 0;
        while (m.find()) {
            assertEquals(end, m.start(), "cues follow each other with nothing in between: " + text);
            out.add(new String[] {m.group(1), m.group(2), m.group(3)});
            end = m.end();
        }
        assertEquals(text.length(), end, "the whole text parses as cues: " + text);
        return out;
    }

    static double seconds(String time) {
        String[] hms = time.split("[:.,]");
        return Integer.parseInt(hms[0]) * 3600 + Integer.parseInt(hms[1]) * 60 + Integer.parseInt(hms[2])
                + Integer.parseInt(hms[3]) / 1000.0;
    }

    /** npm ci (from the committed package-lock.json) unless the pinned clients are already there. */
    static void installClients(Path nodeDir) throws Exception {
        Path dg = nodeDir.resolve("node_modules/@deepgram/sdk/package.json");
        Path oa = nodeDir.resolve("node_modules/openai/package.json");
        if (java.nio.file.Files.exists(dg) && java.nio.file.Files.readString(dg).contains("\"version\": \"5.13.0\"")
                && java.nio.file.Files.exists(oa) && java.nio.file.Files.readString(oa).contains("\"version\": \"7.60.0\"")) {
            return;
        }
        FalClientEndToEndTest.run(nodeDir, List.of("npm", "ci", "--no-audit", "--no-fund"), 300);
    }
}
