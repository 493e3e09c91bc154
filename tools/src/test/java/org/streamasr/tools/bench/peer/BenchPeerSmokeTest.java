package org.streamasr.tools.bench.peer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streamasr.cli.AsrMain;
import org.streamasr.tools.testmodel.TestModelVariant;
import org.streamasr.testing.RequiredTools;
import picocli.CommandLine;

/**
 * {@code bin/asr bench-peer} end to end on the tiny constructed model (not timed): sherpa-onnx in node and our engine
 * in a JVM of its own both run, read the same transcript off the same audio, and the table has a row per precision
 * and stream count. Needs node and npm (the first run installs sherpa-onnx-node into the user's cache).
 */
class BenchPeerSmokeTest {

    @TempDir
    Path scratch;

    @Test
    void bothSidesTranscribeTheSameAudioAlikeAndTheTableHasEveryRow() {
        String out = benchPeer("--tiny", "--streams", "1,2", "--seconds", "10", "--threads", "1", "--no-paced");

        String expected = String.join(" ", PeerBenchmark.script(TestModelVariant.EN, 0).expectedTexts("auto"));
        assertTrue(expected.startsWith("hello world."), expected);
        for (String precision : List.of("fp32", "int8")) {
            for (int streams : List.of(1, 2)) {
                String row = out.lines().filter(l -> l.startsWith("| " + precision + " | " + streams + " |")).findFirst()
                        .orElseThrow(() -> new AssertionError("no table row for " + precision + ", " + streams + ":\n" + out));
                assertTrue(row.endsWith("| yes |"), "same transcript on both sides: " + row + "\n" + out);
                assertTrue(row.contains("| - / - (-) |"), "--no-paced: no streams-kept-up figures: " + row);
            }
        }
        assertTrue(out.contains("transcripts identical"), out);
        assertEquals(4, out.lines().filter(l -> l.contains("transcripts identical")).count(), out);
        // and that transcript is the script's: neither side read the tones wrongly in the same way
        assertTrue(out.lines().noneMatch(l -> l.contains("DIFFER")), out);
    }

    @Test
    void theCapacitySearchClimbsTheLadderOnBothSidesAndPrintsATableRowPerPrecision() {
        String out = benchPeer("--tiny", "--capacity", "--streams", "2,1", "--seconds", "4", "--threads", "1");
        assertTrue(out.contains("paced runs of [1, 2] streams"), "the ladder climbs in ascending order:\n" + out);
        for (String precision : List.of("fp32", "int8")) {
            for (String side : List.of("streamasr", "sherpa-onnx")) {
                String line = out.lines().filter(l -> l.startsWith(precision + ", " + side + ": keeps up ")).findFirst()
                        .orElseThrow(() -> new AssertionError("no capacity line for " + precision + ", " + side + ":\n" + out));
                assertTrue(line.contains(" 1: "), "the first rung ran: " + line);
            }
            assertTrue(out.lines().anyMatch(l -> l.matches("\\| " + precision + " \\| (at least )?\\d+ / (at least )?\\d+ \\(.*")),
                    "a capacity table row for " + precision + ":\n" + out);
        }
        assertTrue(out.lines().noneMatch(l -> l.startsWith("| fp32 | 1 |")), "no throughput table in a capacity search:\n" + out);
    }

    /** Runs {@code bin/asr bench-peer ARGS} with the user's sherpa-onnx cache; requires exit code 0; returns its output. */
    private static String benchPeer(String... args) {
        RequiredTools.command("node");
        RequiredTools.command("npm");
        StringWriter text = new StringWriter();
        CommandLine cmd = AsrMain.commandLine();
        cmd.setOut(new PrintWriter(text, true));
        StringWriter err = new StringWriter();
        cmd.setErr(new PrintWriter(err, true));
        List<String> all = new java.util.ArrayList<>(List.of("bench-peer"));
        all.addAll(List.of(args));
        all.addAll(List.of("--sherpa-dir", SherpaOnnxNode.defaultDirectory().toString()));
        int code = cmd.execute(all.toArray(String[]::new));
        String out = text.toString();
        assertEquals(0, code, out + err);
        return out;
    }
}
