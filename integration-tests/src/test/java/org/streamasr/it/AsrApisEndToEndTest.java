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
import org.streamasr.server.MainPortTlsTest;
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
                "asr.api.keys", List.of(KEY), "asr.api.fetch.allow-private-addresses", true,
                "asr.calls.finish-timeout", "120s"));
        settings.putAll(extra);
        return AsrServer.start(TestServers.config(settings));
    }

    static JsonNode runNode(String mode, AsrServer server, String base) throws Exception {
        return runNode(mode, base, Map.of());
    }

    /** Runs a mode of asr-apis-e2e.mjs with extra environment (NODE_EXTRA_CA_CERTS for TLS). */
    static JsonNode runNode(String mode, String base, Map<String, String> env) throws Exception {
        Path err = java.nio.file.Files.createTempFile("it-node-", ".log");
        try {
            ProcessBuilder pb = new ProcessBuilder("node", "asr-apis-e2e.mjs", mode, base, KEY, CLIP.toString())
                    .directory(nodeDir.toFile()).redirectError(err.toFile());
            pb.environment().putAll(env);
            Process p = pb.start();
            p.getOutputStream().close();
            byte[] stdout = p.getInputStream().readAllBytes();
            if (!p.waitFor(300, java.util.concurrent.TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(mode + " timed out; stderr:\n" + java.nio.file.Files.readString(err));
            }
            if (p.exitValue() != 0) {
                throw new AssertionError(mode + " exited " + p.exitValue() + "; stderr:\n" + java.nio.file.Files.readString(err));
            }
            return new ObjectMapper().readTree(stdout);
        } finally {
            java.nio.file.Files.deleteIfExists(err);
        }
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

    @Test
    void deepgramLiveThroughTheSdkInRealTimeWithInterimsFinalsUtteranceEndFinalizeAndCloseStream() throws Exception {
        RequiredTools.command("opusenc");
        Path opus = java.nio.file.Files.createTempFile("it-clip-", ".opus");
        MainPortTlsTest.run(opus.getParent(), "opusenc", "--quiet", CLIP.toString(), opus.toString());
        JsonNode out;
        try (AsrServer server = server(Map.of())) {
            out = runNode("deepgram-live", server.baseUri().toString(), Map.of("OPUS_CLIP", opus.toString()));
            assertEquals(0, server.calls().calls().size(), "every connection's call ended");
        }
        JsonNode plain = out.get("plain");
        assertEquals(1000, plain.get("closed").get("code").asInt(), "CloseStream ends with 1000: " + plain.get("closed"));
        List<String> types = new ArrayList<>();
        List<String> finals = new ArrayList<>();
        int interims = 0;
        for (JsonNode m : plain.get("messages")) {
            types.add(m.get("type").asText());
            if (!m.get("type").asText().equals("Results")) continue;
            assertEquals(List.of("channel_index", "duration", "start", "is_final", "speech_final", "channel",
                    "metadata", "from_finalize"), fieldNames(m).subList(1, 9), m.toString());
            assertFalse(m.get("metadata").get("request_id").asText().isEmpty());
            assertEquals("nova-3", m.get("metadata").get("model_info").get("name").asText());
            JsonNode alt = m.get("channel").get("alternatives").get(0);
            assertTrue(alt.has("confidence") && alt.get("words").isArray(), m.toString());
            if (m.get("is_final").asBoolean()) {
                finals.add(alt.get("transcript").asText());
                assertTrue(m.get("speech_final").asBoolean(), m.toString());
                for (JsonNode w : alt.get("words")) assertTrue(w.has("punctuated_word") && w.has("confidence"), w.toString());
            } else {
                interims++;
            }
        }
        assertEquals(engineFinals, finals, "the finals are the engine's own utterances");
        assertTrue(interims > 0, "interim results: " + types);
        assertTrue(types.contains("SpeechStarted"), types.toString());
        assertTrue(types.contains("UtteranceEnd"), types.toString());
        assertTrue(types.indexOf("SpeechStarted") < types.indexOf("Results"), types.toString());
        assertEquals("Metadata", types.get(types.size() - 1), types.toString());
        JsonNode meta = plain.get("messages").get(types.size() - 1);
        assertTrue(meta.get("duration").asDouble() > 2, meta.toString());

        JsonNode fin = out.get("finalize");
        assertEquals(1000, fin.get("closed").get("code").asInt());
        List<String> finalizeFinals = new ArrayList<>();
        boolean fromFinalize = false;
        for (JsonNode m : fin.get("messages")) {
            if (!m.get("type").asText().equals("Results") || !m.get("is_final").asBoolean()) continue;
            fromFinalize |= m.get("from_finalize").asBoolean();
            String t = m.get("channel").get("alternatives").get(0).get("transcript").asText();
            if (!t.isEmpty()) finalizeFinals.add(t);
        }
        assertTrue(fromFinalize, "Finalize answered with from_finalize");
        double wer = org.streamasr.testing.WordErrorRate.score(engineText, String.join(" ", finalizeFinals)).rate();
        assertTrue(wer <= 0.25, "cut in two by Finalize, the transcript stays close to the engine's own: " + wer
                + " '" + String.join(" ", finalizeFinals) + "'");

        List<String> opusFinals = new ArrayList<>();
        for (JsonNode m : out.get("opus").get("messages")) {
            if (m.get("type").asText().equals("Results") && m.get("is_final").asBoolean()) {
                opusFinals.add(m.get("channel").get("alternatives").get(0).get("transcript").asText());
            }
        }
        assertEquals(1000, out.get("opus").get("closed").get("code").asInt());
        assertTrue(wer(String.join(" ", opusFinals)) <= 0.35, "Ogg Opus: " + opusFinals + " vs " + engineText);

        JsonNode bad = out.get("bad");
        assertEquals(401, bad.get("wrongKey").get("status").asInt(), bad.toString());
        assertEquals("Invalid credentials.", bad.get("wrongKey").get("dgError").asText());
        assertEquals(400, bad.get("wrongEncoding").get("status").asInt(), bad.toString());
        assertTrue(bad.get("wrongEncoding").get("dgError").asText().contains("speex"), bad.toString());
        // (the upgrade's refusal has no body: Tyrus writes none; clients read dg-error, as the SDKs do)
        assertEquals(400, bad.get("unknownModel").get("status").asInt(), bad.toString());
        assertEquals(400, bad.get("language").get("status").asInt(), bad.toString());
        assertTrue(bad.get("language").get("dgError").asText().contains("en-US"), bad.toString());
        assertEquals("token", bad.get("browserForm").get("protocol").asText(), bad.toString());
        assertEquals(1008, bad.get("malformedJson").get("code").asInt(), bad.toString());
        assertEquals(1008, bad.get("notWav").get("code").asInt(), bad.toString());
        assertTrue(bad.get("notWav").get("reason").asText().startsWith("DATA-0000"), bad.toString());
        assertEquals(1011, bad.get("oversized").get("code").asInt(), "Tyrus' code for a frame over its buffer: " + bad);
    }

    @Test
    void openAiRealtimeThroughTheSdkOverTlsAndJigasisMessageSequence() throws Exception {
        Path certDir = java.nio.file.Files.createTempDirectory("it-tls-");
        Path[] pem = MainPortTlsTest.selfSigned(certDir, false);
        JsonNode sdk;
        JsonNode jigasi;
        try (AsrServer server = server(Map.of("asr.server.tls.cert", pem[0].toString(),
                "asr.server.tls.key", pem[1].toString()))) {
            String base = "https://127.0.0.1:" + server.port();
            Map<String, String> env = Map.of("NODE_EXTRA_CA_CERTS", pem[0].toString());
            sdk = runNode("openai-realtime", base, env);
            jigasi = runNode("jigasi-replay", base, env);
        }
        List<String> types = new ArrayList<>();
        List<String> completed = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        for (JsonNode e : sdk.get("events")) {
            types.add(e.get("type").asText());
            if (e.get("type").asText().endsWith("transcription.completed")) completed.add(e.get("transcript").asText());
            if (e.get("type").asText().equals("error")) errors.add(e.get("error").get("code").asText());
        }
        assertEquals("session.created", types.get(0), types.toString());
        assertTrue(types.contains("session.updated"), types.toString());
        assertEquals(List.of("invalid_json", "input_audio_buffer_commit_empty", "invalid_event", "invalid_value",
                "invalid_model"), errors, "each bad event has its error and the session goes on");
        // the clip goes in at 24 kHz (upsampled in Node) and is resampled back here: close to, not equal to, the
        // engine's own transcript of the 16 kHz file
        assertTrue(wer(String.join(" ", completed)) <= 0.35, "completed items: " + completed + " vs " + engineText);
        int started = types.indexOf("input_audio_buffer.speech_started");
        int stopped = types.indexOf("input_audio_buffer.speech_stopped");
        int committed = types.indexOf("input_audio_buffer.committed");
        int done = types.indexOf("conversation.item.input_audio_transcription.completed");
        assertTrue(started >= 0 && started < stopped && stopped < committed && committed < done, types.toString());
        assertTrue(types.contains("conversation.item.input_audio_transcription.delta"), types.toString());

        List<String> jigasiCompleted = new ArrayList<>();
        StringBuilder deltas = new StringBuilder();
        for (JsonNode e : jigasi.get("events")) {
            String t = e.get("type").asText();
            assertFalse(t.equals("error"), "Jigasi's sequence is accepted as it is: " + e);
            if (t.endsWith("transcription.completed")) jigasiCompleted.add(e.get("transcript").asText());
            if (t.endsWith("transcription.delta")) deltas.append(e.get("delta").asText());
        }
        assertFalse(jigasiCompleted.isEmpty(), "server VAD ends Jigasi's turns: it never commits");
        assertTrue(wer(String.join(" ", jigasiCompleted)) <= 0.35, jigasiCompleted + " vs " + engineText);
        assertFalse(deltas.isEmpty(), "interims as deltas");
        JsonNode wrong = jigasi.get("wrongKey");
        assertEquals(1008, wrong.get("code").asInt(), wrong.toString());
        assertEquals("invalid_api_key", wrong.get("events").get(0).get("error").get("code").asText(), wrong.toString());
    }

    static double wer(String hypothesis) {
        return org.streamasr.testing.WordErrorRate.score(engineText, hypothesis).rate();
    }

    static List<String> fieldNames(JsonNode o) {
        List<String> names = new ArrayList<>();
        o.fieldNames().forEachRemaining(names::add);
        return names;
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
