package org.streamasr.tools.cli;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.streamasr.tools.testmodel.TestModelPrecision;
import org.streamasr.tools.testmodel.TestModelSpec;
import org.streamasr.tools.testmodel.TestModelVariant;
import org.streamasr.tools.testmodel.TestModelWriter;
import org.streamasr.tools.testmodel.ToneScript;
import org.streamasr.media.wav.WavFile;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code asr make-test-model DIR --variant en|ml}: writes a constructed model with the real export's file layout,
 * I/O names, dtypes and metadata (tones instead of speech), plus sample audio and the transcript it must give, so an
 * installation can be smoke-tested without the real weights.
 */
@Command(name = "make-test-model", mixinStandardHelpOptions = true,
        description = {"Writes a constructed Nemotron model (sherpa-onnx export layout: one sub-directory per chunk size "
                + "with encoder.onnx + encoder.data, decoder.onnx, joiner.onnx, tokens.txt) that transcribes tone audio "
                + "exactly, and sample WAVs with their expected transcripts.",
                "Then: bin/asr transcribe DIR/sample-en.wav --engine nemotron --model DIR --vad-model none (the VAD hears "
                        + "no speech in tones)"})
public final class MakeTestModelCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "DIR", description = "Output directory (created).")
    Path dir;

    @Option(names = "--variant", required = true, paramLabel = "en|ml",
            description = "en: like nemotron-speech-streaming-en-0.6b; ml: like nemotron-3.5-asr-streaming-0.6b "
                    + "(prompt_index input, prompt dictionary, language tags).")
    String variant;

    @Option(names = "--chunk-ms", split = ",", paramLabel = "MS",
            description = "Chunk sizes to write (multiples of 80; default: those of the real export).")
    List<Integer> chunkMs;

    @Option(names = "--precision", paramLabel = "P", description = "fp32 (encoder.onnx + encoder.data, the default), int8 "
            + "(*.int8.onnx, dynamically quantised like the sherpa-onnx int8 files) or fp16 (*.fp16.onnx, float16 weights "
            + "and encoder/joiner inputs and outputs).")
    String precision = "fp32";

    @Option(names = "--benchmark", description = "Real vocabulary, decoder and joiner widths and a heavier encoder "
            + "(see --d-model, --layers), for bench-engine.")
    boolean benchmark;

    @Option(names = "--d-model", paramLabel = "N", description = "Encoder width with --benchmark (default 512; real 1024).")
    int dModel = 512;

    @Option(names = "--layers", paramLabel = "N", description = "Encoder layers with --benchmark (default 6; real 24).")
    int layers = 6;

    @Override
    public Integer call() throws Exception {
        TestModelVariant v = TestModelVariant.parse(variant);
        List<Integer> chunks = chunkMs == null || chunkMs.isEmpty() ? v.chunkMillis() : chunkMs;
        TestModelSpec model = (benchmark ? TestModelSpec.benchmark(v, chunks, dModel, layers)
                : TestModelSpec.tiny(v).withChunkMillis(chunks)).withPrecision(TestModelPrecision.parse(precision));
        List<Path> written = TestModelWriter.write(model, dir);
        java.io.PrintWriter out = spec.commandLine().getOut();
        for (Path p : written) out.println("wrote " + p);
        writeSamples(v, dir).forEach(out::println);
        out.flush();
        return 0;
    }

    /** Sample WAVs (English, and German for ml) with the transcript each must give under "auto". */
    static List<String> writeSamples(TestModelVariant v, Path dir) throws java.io.IOException {
        List<String> lines = new ArrayList<>();
        lines.add(writeSample(dir, "sample-en", ToneScript.builder(v)
                .say("en-US", "hello world. this is a test of streaming speech recognition.")
                .say("en-US", "good morning, world?").build()));
        if (v == TestModelVariant.ML) {
            lines.add(writeSample(dir, "sample-de", ToneScript.builder(v)
                    .say("de-DE", "hallo welt. das ist ein test.")
                    .say("de-DE", "guten morgen, wie geht es dir?").build()));
        }
        return lines;
    }

    private static String writeSample(Path dir, String name, ToneScript script) throws java.io.IOException {
        Path wav = dir.resolve(name + ".wav");
        new WavFile(ToneScript.SAMPLE_RATE, 1, WavFile.toPcm16(script.samples())).write(wav);
        Path txt = dir.resolve(name + ".txt");
        Files.writeString(txt, String.join("\n", script.expectedTexts("auto")) + "\n", StandardCharsets.UTF_8);
        return "wrote " + wav + " (expected transcript in " + txt.getFileName() + ")";
    }
}
