package org.streamasr.engine.nemotron;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.streamasr.engine.Acceleration;
import org.streamasr.engine.EngineConfig;
import org.streamasr.engine.StreamSpec;
import org.streamasr.engine.Utterance;
import org.streamasr.media.wav.WavFile;
import org.streamasr.testing.SharedFixtures;
import org.streamasr.testing.WordErrorRate;
import org.streamasr.testing.RequiredTools;

/**
 * The real sherpa-onnx Nemotron exports, when given: {@code -Dnemotron.model=DIR} or {@code ASR_NEMOTRON_MODEL=DIR}
 * (README "Real models"). Skipped otherwise, saying so; the constructed models cover the same code in every run.
 * Checks the word error rate on the five LibriVox clips of pocketsphinx-testdata and, for the multilingual model,
 * that "auto" reports English for them.
 */
class RealModelTest {
    private static final Path LIBRIVOX = Path.of("/usr/share/pocketsphinx/test/data/librivox");

    private static Path model() {
        String p = System.getProperty("nemotron.model");
        if (p == null || p.isBlank()) p = System.getenv("ASR_NEMOTRON_MODEL");
        Assumptions.assumeTrue(p != null && !p.isBlank(),
                "SKIPPED: no real Nemotron export given (-Dnemotron.model=DIR or ASR_NEMOTRON_MODEL=DIR)");
        return Path.of(p);
    }

    @Test
    void transcribesLibriVoxWell() throws Exception {
        Path dir = model();
        Path transcription = LIBRIVOX.resolve("transcription");
        RequiredTools.file(transcription, "pocketsphinx-testdata");
        Map<String, String> refs = new LinkedHashMap<>();
        Matcher m = Pattern.compile("<s>(.*)</s>\\s*\\((\\S+)\\)").matcher(Files.readString(transcription));
        while (m.find()) refs.put(m.group(2), m.group(1).trim());
        Path vad = SharedFixtures.repoRoot() == null ? null : SharedFixtures.repoRoot().resolve("models/silero-vad/silero_vad.onnx");
        EngineConfig.Builder o = EngineConfig.builder().engine("nemotron").modelDir(dir).streamBuffer(Duration.ofMinutes(2));
        if (vad != null && Files.isRegularFile(vad)) o.vadModel(vad);
        try (NemotronEngine engine = NemotronEngine.open(o.build())) {
            Acceleration mode = engine.accelerations().contains(Acceleration.REGULAR) ? Acceleration.REGULAR
                    : engine.accelerations().iterator().next();
            Map<String, String> hyps = new LinkedHashMap<>();
            for (String id : refs.keySet()) {
                float[] audio = WavFile.toFloat(WavFile.read(LIBRIVOX.resolve(id + ".wav")).mono());
                Recorder r = NemotronEngineTest.transcribe(engine, StreamSpec.file("auto", mode, id), audio, 3200);
                hyps.put(id, String.join(" ", r.finalTexts()));
                for (Utterance u : r.finals()) {
                    if (engine.languages().size() > 3 && u.language() != null) assertEquals("en-US", u.language(), id);
                }
            }
            WordErrorRate.Score score = WordErrorRate.score(refs, hyps);
            System.out.println("Nemotron " + dir.getFileName() + " " + mode.apiValue() + " on LibriVox: WER "
                    + score.rate() + " " + hyps);
            assertTrue(score.rate() < 0.15, "pooled WER " + score.rate() + ": " + hyps);
        }
    }
}
