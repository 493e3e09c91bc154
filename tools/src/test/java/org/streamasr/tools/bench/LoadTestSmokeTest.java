package org.streamasr.tools.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streamasr.engine.SpeechEngine;
import org.streamasr.engine.SpeechEngines;
import org.streamasr.tools.testmodel.TestModelSpec;
import org.streamasr.tools.testmodel.TestModelVariant;
import org.streamasr.tools.testmodel.TestModelWriter;
import org.streamasr.tools.testmodel.ToneScript;
import org.streamasr.media.wav.WavFile;
import org.streamasr.server.ServerConfig;
import org.streamasr.testing.RequiredTools;
import org.streamasr.testing.TestServers;

/**
 * A few seconds of the load harness per engine, over real sockets (MEDIAJSON Opus in, captions WebSocket out): it
 * runs a call in real time and reports figures. No partial may be timed before the packet its audio needed was sent.
 */
class LoadTestSmokeTest {

    @TempDir
    Path model;

    private static List<LoadTest.Step> runOneCall(ServerConfig config, short[] speech, Duration warmUp,
                                                  int expectedChunkMillis) throws Exception {
        List<LoadTest.Step> reported = new ArrayList<>();
        try (SpeechEngine engine = SpeechEngines.open(config.engine())) {
            LoadTest test = new LoadTest(config, engine, speech, Duration.ofSeconds(4), warmUp, 60_000);
            assertEquals(expectedChunkMillis, test.chunkMillis());
            List<LoadTest.Step> steps = test.run(List.of(1), true, reported::add);
            assertEquals(steps, reported);
        }
        assertEquals(List.of(1), reported.stream().map(LoadTest.Step::calls).toList());
        for (LoadTest.Step s : reported) {
            assertTrue(s.partials() > 0, "partials measured: " + s);
            assertTrue(s.minMillis() >= 0, "no partial before its audio was sent: " + s);
            assertTrue(s.p99Millis() >= s.p50Millis(), s.toString());
            assertTrue(s.pendingSecondsPerStream() >= 0 && !Double.isNaN(s.heapMiBPerCall()), s.toString());
        }
        return reported;
    }

    @Test
    void aShortStepOnSphinxTimesPartialsFromTheirLastAudio() throws Exception {
        Path clip = RequiredTools.file(Path.of(
                "/usr/share/pocketsphinx/test/data/librivox/sense_and_sensibility_01_austen_64kb-0870.wav"),
                "pocketsphinx-testdata");
        // A warm-up long enough for pocketsphinx to load a decoder on a busy machine.
        runOneCall(TestServers.config(Map.of("asr.engine.name", "sphinx")), WavFile.read(clip).mono(),
                Duration.ofSeconds(4), 0);
    }

    @Test
    void aShortStepOnAConstructedNemotronModelTimesPartialsFromTheirChunk() throws Exception {
        TestModelWriter.write(TestModelSpec.tiny(TestModelVariant.EN), model);
        ToneScript script = ToneScript.builder(TestModelVariant.EN)
                .say("en-US", "hello world. this is a test of streaming speech recognition.")
                .say("en-US", "good morning, world? this is a test of speech.")
                .build();
        float[] samples = script.samples();
        short[] speech = new short[samples.length];
        for (int i = 0; i < speech.length; i++) speech[i] = (short) Math.round(Math.max(-1, Math.min(1, samples[i])) * 32767);
        ServerConfig config = TestServers.config(Map.of("asr.engine.name", "nemotron",
                "asr.engine.model-dir", model.toString(), "asr.engine.intra-op-threads", 1));
        runOneCall(config, speech, Duration.ofSeconds(2), 560);
    }
}
