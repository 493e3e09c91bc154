package org.streamasr.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streamasr.engine.EngineConfig;
import org.streamasr.engine.SpeechEngine;
import org.streamasr.engine.SpeechEngines;
import org.streamasr.engine.sphinx.SphinxEngine;
import org.streamasr.testing.LeakCheckExtension;
import org.streamasr.testing.WordErrorRate;
import org.streamasr.testing.RequiredTools;

/** End to end with the real sphinx engine on LibriVox clips: queued requests finish across a restart. */
class HostedApiSphinxTest {
    static final Path LIBRIVOX = Path.of("/usr/share/pocketsphinx/test/data/librivox");
    static final String PREFIX = "sense_and_sensibility_01_austen_64kb-";

    @TempDir
    Path dir;
    SpeechEngine engine;
    ApiServer server;

    @BeforeEach
    void open() {
        RequiredTools.file(LIBRIVOX.resolve("transcription"), "pocketsphinx-testdata");
        LeakCheckExtension.track("sphinx decoders", SphinxEngine::openDecoders);
        engine = SpeechEngines.open(EngineConfig.builder().engine("sphinx").build());
    }

    @AfterEach
    void close() {
        if (server != null) server.close();
        if (engine != null) engine.close();
    }

    static Map<String, String> references() throws Exception {
        Map<String, String> refs = new LinkedHashMap<>();
        Matcher m = Pattern.compile("<s>(.*)</s>\\s*\\(" + PREFIX + "(\\d+)\\)")
                .matcher(Files.readString(LIBRIVOX.resolve("transcription")));
        while (m.find()) refs.put(m.group(2), m.group(1).trim());
        return refs;
    }

    static String dataUri(String clip) throws Exception {
        return "data:audio/wav;base64," + Base64.getEncoder().encodeToString(Files.readAllBytes(LIBRIVOX.resolve(PREFIX + clip + ".wav")));
    }

    @Test
    void queuedClipsAreTranscribedAcrossARestart() throws Exception {
        server = new ApiServer(engine, dir, "asr.api.workers = 1\nasr.api.grace-period = 0s");
        Map<String, String> refs = references();
        List<String> clips = List.of("0880", "0930", "0890");
        Map<String, String> ids = new LinkedHashMap<>();
        for (String c : clips) ids.put(c, server.submit("{\"audio_url\": \"" + dataUri(c) + "\", \"language\": \"en-US\"}"));

        server.restart(); // the first clip is cut off (or not yet started), the others wait in the store

        Map<String, String> hyp = new LinkedHashMap<>();
        Map<String, String> ref = new LinkedHashMap<>();
        for (String c : clips) {
            JsonNode st = server.awaitCompleted(ids.get(c));
            assertTrue(!st.has("error"), st.toString());
            assertTrue(st.get("logs").toString().matches(".*transcribed [1-9]0%.*"), "progress while the engine works: " + st);
            JsonNode result = ApiServer.json(server.get(ApiServer.QUEUE + "/requests/" + ids.get(c)));
            hyp.put(c, result.get("output").asText());
            ref.put(c, refs.get(c));
            assertEquals(false, result.get("partial").asBoolean());
        }
        double wer = WordErrorRate.score(ref, hyp).rate();
        assertTrue(wer <= 0.5, "word error rate " + wer + " of " + hyp);
    }
}
