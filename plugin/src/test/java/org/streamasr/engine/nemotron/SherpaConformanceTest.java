package org.streamasr.engine.nemotron;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.streamasr.engine.Acceleration;
import org.streamasr.engine.StreamSpec;
import org.streamasr.engine.TimedToken;
import org.streamasr.engine.Utterance;
import org.streamasr.tools.testmodel.TestModelPrecision;
import org.streamasr.tools.testmodel.TestModelSpec;
import org.streamasr.tools.testmodel.TestModelVariant;
import org.streamasr.tools.testmodel.TestModelWriter;
import org.streamasr.tools.testmodel.ToneScript;
import org.streamasr.testing.RequiredTools;

/**
 * Conformance with sherpa-onnx, the reference runtime of these exports (npm {@code sherpa-onnx-node} 1.13.8 from
 * {@code integration-tests/node}, installed by {@code npm ci} on first run; needs node and npm): on the constructed
 * models of both variants, fp32 and int8, every chunk size, auto and forced languages, our transcript is sherpa's,
 * token for token, and every token time is sherpa's plus {@link #SHERPA_OFFSET_MS}.
 *
 * <p>The constant: sherpa-onnx spends the first window's nine pre-encode mel frames of real audio as encoder cache, so
 * its output frame j covers mel frames from 9 + 8j; we follow NeMo's cache-aware streaming in the mode these exports
 * support ({@code pad_and_drop_preencoded}: nine zero frames before the first chunk), so our frame j covers mel frames
 * from 8j, and a tone's first frame is one output frame (80 ms) later in sherpa's count (README, model contract).
 */
class SherpaConformanceTest {
    /** Our token time minus sherpa-onnx's, for every token. */
    static final long SHERPA_OFFSET_MS = 80;
    private static final Path NODE_DIR = Path.of("..", "integration-tests", "node").toAbsolutePath().normalize();
    private static final ObjectMapper JSON = new ObjectMapper();

    private record Case(Acceleration mode, String language, ToneScript script) {
    }

    @BeforeAll
    static void sherpaInstalled() throws Exception {
        RequiredTools.command("node");
        RequiredTools.command("npm");
        Path pkg = NODE_DIR.resolve("node_modules/sherpa-onnx-node/package.json");
        if (!Files.exists(pkg) || !Files.readString(pkg).contains("\"version\": \"1.13.8\"")) {
            run(List.of("npm", "ci", "--no-audit", "--no-fund"), 600);
        }
    }

    static List<Arguments> models() {
        List<Arguments> a = new ArrayList<>();
        for (TestModelVariant v : TestModelVariant.values()) {
            for (TestModelPrecision p : List.of(TestModelPrecision.FP32, TestModelPrecision.INT8)) a.add(Arguments.of(v, p));
        }
        return a;
    }

    private static ToneScript script(TestModelVariant v) {
        // leading silence: sherpa-onnx spends the first 90 ms as cache (its CLI pads 0.5 s for that reason)
        ToneScript.Builder b = ToneScript.builder(v).leadingSilenceMillis(400).say("en-US", "hello world. this is a test.");
        if (v == TestModelVariant.ML) b.say("de-DE", "guten morgen, wie geht es dir?");
        return b.build();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("models")
    void ourTranscriptsAreSherpasAndOurTimesAreSherpasPlusOneFrame(TestModelVariant variant, TestModelPrecision precision)
            throws Exception {
        Path root = precision == TestModelPrecision.FP32 ? TestModels.tiny(variant)
                : TestModels.written(variant + "-int8", TestModelSpec.tiny(variant).withPrecision(precision));
        ToneScript script = script(variant);
        List<String> languages = variant == TestModelVariant.ML ? List.of("auto", "en-US", "de-DE") : List.of("en-US");
        List<Case> cases = new ArrayList<>();
        for (int ms : variant.chunkMillis()) {
            Acceleration mode = Acceleration.forChunkMillis(ms);
            if (mode == null) continue;
            for (String language : languages) cases.add(new Case(mode, language, script));
        }
        Path work = Files.createTempDirectory("sherpa-conformance-");
        try {
            Path audio = work.resolve("audio.f32");
            writeFloats(audio, script.samples());
            List<Map<String, String>> jobs = new ArrayList<>();
            for (Case c : cases) {
                jobs.add(Map.of("dir", root.resolve(TestModelWriter.exportName(variant, c.mode().chunkMillis())).toString(),
                        "precision", precision == TestModelPrecision.INT8 ? "int8" : "fp32", "audio", audio.toString(),
                        "language", variant == TestModelVariant.ML ? c.language() : ""));
            }
            Path jobFile = work.resolve("jobs.json");
            JSON.writeValue(jobFile.toFile(), jobs);
            JsonNode sherpa = JSON.readTree(run(List.of("node", "sherpa-transcribe.mjs", jobFile.toString()), 300));
            try (NemotronEngine engine = NemotronEngine.open(NemotronEngineTest.options(variant).modelDir(root)
                    .extra("nemotron.precision", precision == TestModelPrecision.INT8 ? "int8" : "fp32").build())) {
                for (int i = 0; i < cases.size(); i++) {
                    Case c = cases.get(i);
                    String what = variant + " " + precision + " " + c.mode().chunkMillis() + " ms " + c.language();
                    Recorder ours = NemotronEngineTest.transcribe(engine, StreamSpec.file(c.language(), c.mode(), what),
                            c.script().samples(), 1600);
                    NemotronEngineTest.assertMatches(c.script(), c.language(), ours);
                    assertConforms(what, ours.finals(), sherpa.get(i));
                }
            }
        } finally {
            TestModels.deleteQuietly(work);
        }
    }

    private static void assertConforms(String what, List<Utterance> ours, JsonNode sherpa) {
        List<String> ourPieces = new ArrayList<>();
        List<Long> ourTimes = new ArrayList<>();
        for (Utterance u : ours) {
            for (TimedToken t : u.tokens()) {
                if (languageTag(t.text())) continue;
                ourPieces.add(t.text().replace('\u2581', ' '));   // sherpa-onnx reports pieces with the space
                ourTimes.add(t.startMs());
            }
        }
        List<String> theirPieces = new ArrayList<>();
        List<Long> theirTimesPlusOffset = new ArrayList<>();
        for (int k = 0; k < sherpa.get("tokens").size(); k++) {
            String piece = sherpa.get("tokens").get(k).asText();
            if (languageTag(piece)) continue;
            theirPieces.add(piece);
            theirTimesPlusOffset.add(Math.round(sherpa.get("timestamps").get(k).asDouble() * 1000) + SHERPA_OFFSET_MS);
        }
        String ourText = String.join(" ", ours.stream().map(u -> u.text().trim()).toList());
        assertEquals(normalise(sherpa.get("text").asText()), normalise(ourText), what + ": text");
        assertEquals(theirPieces, ourPieces, what + ": tokens");
        assertEquals(theirTimesPlusOffset, ourTimes, what + ": token times = sherpa-onnx's + " + SHERPA_OFFSET_MS + " ms");
    }

    private static boolean languageTag(String piece) {
        return piece.matches("<[a-zA-Z]{2,3}(-[a-zA-Z]{2})?>");
    }

    private static String normalise(String s) {
        return s.replace('\u2581', ' ').replaceAll("\\s+", " ").trim();
    }

    private static void writeFloats(Path file, float[] samples) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(samples.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float s : samples) b.putFloat(s);
        Files.write(file, b.array());
    }

    private static String run(List<String> cmd, int timeoutSeconds) throws IOException, InterruptedException {
        Path out = Files.createTempFile("sherpa-out-", ".log");
        Path err = Files.createTempFile("sherpa-err-", ".log");
        try {
            Process p = new ProcessBuilder(cmd).directory(NODE_DIR.toFile()).redirectOutput(out.toFile())
                    .redirectError(err.toFile()).start();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(cmd + " timed out; stderr:\n" + Files.readString(err));
            }
            if (p.exitValue() != 0) throw new AssertionError(cmd + " exited " + p.exitValue() + "; stderr:\n" + Files.readString(err));
            return Files.readString(out);
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
