package org.streamasr.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streamasr.engine.nemotron.NemotronEngine;
import org.streamasr.testing.LeakCheckExtension;
import picocli.CommandLine;

/** make-test-model writes a model and samples; transcribe gives the sample's expected transcript through the engine. */
class NemotronCommandsTest {
    @TempDir
    Path tmp;

    private record Run(int code, String out, String err) {
    }

    private static Run asr(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cmd = AsrMain.commandLine();
        cmd.setOut(new PrintWriter(out));
        cmd.setErr(new PrintWriter(err));
        cmd.setExecutionExceptionHandler((e, c, p) -> {
            c.getErr().println("error: " + e.getMessage());
            return 1;
        });
        int code = cmd.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void makeTestModelThenTranscribeItsSample() throws Exception {
        LeakCheckExtension.track("nemotron streams", NemotronEngine::openStreamsInProcess);
        Path model = tmp.resolve("model");
        Run made = asr("make-test-model", model.toString(), "--variant", "ml", "--chunk-ms", "320,560");
        assertEquals(0, made.code(), made.err());
        assertTrue(Files.isRegularFile(model.resolve("streamasr-test-nemotron-ml-320ms/encoder.data")));
        assertTrue(Files.isRegularFile(model.resolve("sample-de.wav")));
        String expected = Files.readString(model.resolve("sample-de.txt")).strip();

        Run plain = asr("transcribe", model.resolve("sample-de.wav").toString(), "--model", model.toString(),
                "--acceleration", "high", "--vad-model", "none");
        assertEquals(0, plain.code(), plain.err());
        assertEquals(expected, plain.out().strip());

        Run streamed = asr("transcribe", model.resolve("sample-de.wav").toString(), "--model", model.toString(),
                "--stream", "--vad-model", "none");
        assertEquals(0, streamed.code(), streamed.err());
        assertTrue(streamed.out().contains("partial [0.32-"), streamed.out());
        assertTrue(streamed.out().contains("final   [0.32-2.08s] (de-DE) hallo welt. das ist ein test."), streamed.out());
    }

    @Test
    void badSettingsAreOneLineErrors() throws Exception {
        Path model = tmp.resolve("model");
        assertEquals(0, asr("make-test-model", model.toString(), "--variant", "en", "--chunk-ms", "560").code());
        Path wav = model.resolve("sample-en.wav");
        Run lang = asr("transcribe", wav.toString(), "--model", model.toString(), "--language", "de-DE");
        assertEquals(1, lang.code());
        assertTrue(lang.err().startsWith("error: unsupported language 'de-DE'"), lang.err());
        Run accel = asr("transcribe", wav.toString(), "--model", model.toString(), "--acceleration", "full");
        // named by the flags the user typed, not by config keys
        assertTrue(accel.err().startsWith("error: --acceleration: 'full' has no 80 ms export"), accel.err());
        Run noModel = asr("transcribe", wav.toString(), "--engine", "nemotron");
        assertTrue(noModel.err().startsWith("error: --model is not set"), noModel.err());
        Run variant = asr("make-test-model", tmp.resolve("x").toString(), "--variant", "fr");
        assertTrue(variant.err().contains("--variant must be en or ml"), variant.err());
    }

    @Test
    void withoutTheInstalledVadModelTranscribeWarnsAndNamesTheFix() throws Exception {
        String home = System.getenv("ASR_HOME");
        Path searched = Path.of(home == null ? "." : home).resolve("models/silero-vad/silero_vad.onnx").toAbsolutePath().normalize();
        org.junit.jupiter.api.Assumptions.assumeFalse(Files.isRegularFile(searched),
                "SKIPPED: " + searched + " is installed, so there is nothing to warn about");
        Path model = tmp.resolve("model");
        assertEquals(0, asr("make-test-model", model.toString(), "--variant", "en", "--chunk-ms", "560").code());
        Run run = asr("transcribe", model.resolve("sample-en.wav").toString(), "--model", model.toString());
        assertEquals(0, run.code(), run.err());
        assertTrue(run.err().startsWith("warning: no Silero VAD model at " + searched + " (scripts/fetch-vad-model fetches it"),
                run.err());
        assertEquals(Files.readString(model.resolve("sample-en.txt")).strip(), run.out().strip(), "and runs without it");
        Run sphinx = asr("transcribe", model.resolve("sample-en.wav").toString(), "--engine", "sphinx");
        assertTrue(!sphinx.err().contains("Silero"), "sphinx does not use it: " + sphinx.err());
    }
}
