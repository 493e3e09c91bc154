package org.streamasr.engine.features;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streamasr.cli.AsrMain;
import picocli.CommandLine;
import org.streamasr.testing.RequiredTools;

/** {@code asr features WAV --out FILE.npy}, checked by numpy loading the file and comparing with its reference. */
class FeaturesCommandTest {
    @TempDir
    Path tmp;

    @Test
    void writesNpyThatNumpyLoadsAndThatMatchesTheReference() {
        Path wav = LogMelExtractorTest.LIBRIVOX.resolve("sense_and_sensibility_01_austen_64kb-0870.wav");
        RequiredTools.file(wav, "pocketsphinx-testdata");
        NumpyReference.requireNumpy();
        Path npy = tmp.resolve("features.npy");
        int code = new CommandLine(new AsrMain()).execute("features", wav.toString(), "--out", npy.toString());
        assertEquals(0, code);
        NumpyReference.compare(wav, npy).assertMatches("asr features on LibriVox 0870", 1e-4);
    }

    @Test
    void unreadableInputIsOneClearError() throws Exception {
        Path bad = Files.writeString(tmp.resolve("not-audio.wav"), "this is not audio");
        StringWriter err = new StringWriter();
        CommandLine cmd = new CommandLine(new AsrMain());
        cmd.setErr(new PrintWriter(err));
        int code = cmd.setExecutionExceptionHandler((e, c, p) -> {
            c.getErr().println("error: " + e.getMessage());
            return 1;
        }).execute("features", bad.toString(), "--out", tmp.resolve("x.npy").toString());
        assertEquals(1, code);
        assertTrue(err.toString().startsWith("error: "), err.toString());
    }
}
