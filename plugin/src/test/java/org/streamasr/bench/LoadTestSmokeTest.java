package org.streamasr.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.streamasr.engine.SpeechEngine;
import org.streamasr.engine.SpeechEngines;
import org.streamasr.media.wav.WavFile;
import org.streamasr.server.ServerConfig;
import org.streamasr.testing.TestServers;

/** A few seconds of the load harness on the real sphinx engine: it runs calls in real time and reports figures. */
class LoadTestSmokeTest {

    @Test
    void aShortStepReportsLatencyAndMemory() throws Exception {
        ServerConfig config = TestServers.config(Map.of("asr.engine.name", "sphinx"));
        short[] speech = WavFile.read(java.nio.file.Path.of(
                "/usr/share/pocketsphinx/test/data/librivox/sense_and_sensibility_01_austen_64kb-0870.wav")).mono();
        List<LoadTest.Step> reported = new ArrayList<>();
        try (SpeechEngine engine = SpeechEngines.open(config.engine())) {
            // A warm-up long enough for pocketsphinx to load a decoder on a busy machine.
            LoadTest test = new LoadTest(config, engine, speech, Duration.ofSeconds(4), Duration.ofSeconds(5), 60_000);
            List<LoadTest.Step> steps = test.run(List.of(1), true, reported::add);
            assertEquals(steps, reported);
        }
        assertEquals(List.of(1), reported.stream().map(LoadTest.Step::calls).toList());
        for (LoadTest.Step s : reported) {
            assertTrue(s.partials() > 0, "partials measured: " + s);
            assertTrue(s.p50Millis() >= 0 && s.p99Millis() >= s.p50Millis(), s.toString());
            assertTrue(s.pendingSecondsPerStream() >= 0 && !Double.isNaN(s.heapMiBPerCall()), s.toString());
        }
    }
}
