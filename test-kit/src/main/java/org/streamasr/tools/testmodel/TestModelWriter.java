package org.streamasr.tools.testmodel;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes constructed models in the layout of the sherpa-onnx releases: one directory per chunk size, named like the
 * release tarballs ({@code ...-560ms-...}), each holding {@code encoder.onnx} with its weights in
 * {@code encoder.data} (the fp32 export layout), {@code decoder.onnx}, {@code joiner.onnx} and {@code tokens.txt};
 * or, for the other precisions, {@code encoder.int8.onnx}, {@code decoder.int8.onnx}, {@code joiner.int8.onnx} (or
 * {@code .fp16.}) with their weights inside.
 */
public final class TestModelWriter {
    private TestModelWriter() {
    }

    /** The directory name of one chunk size's export. */
    public static String exportName(TestModelVariant variant, int chunkMs) {
        return "streamasr-test-nemotron-" + variant.name().toLowerCase(java.util.Locale.ROOT) + "-" + chunkMs + "ms";
    }

    /**
     * Writes every chunk size of {@code spec} under {@code root} (created if missing).
     *
     * @return the export directories written, in chunk-size order
     */
    public static List<Path> write(TestModelSpec spec, Path root) throws IOException {
        List<String> tokens = ToneVocabulary.tokens(spec.variant(), spec.vocabSize());
        Files.createDirectories(root);
        OnnxGraph decoder = TestPredictionGraphs.decoder(spec, tokens);
        OnnxGraph joiner = TestPredictionGraphs.joiner(spec, tokens);
        List<Path> dirs = new ArrayList<>();
        for (int ms : spec.chunkMillis()) {
            Path dir = root.resolve(exportName(spec.variant(), ms));
            writeExport(spec, ms, dir, tokens, decoder, joiner);
            dirs.add(dir);
        }
        return dirs;
    }

    /** Writes one chunk size's export straight into {@code dir}. */
    public static void writeExport(TestModelSpec spec, int chunkMs, Path dir) throws IOException {
        List<String> tokens = ToneVocabulary.tokens(spec.variant(), spec.vocabSize());
        writeExport(spec, chunkMs, dir, tokens, TestPredictionGraphs.decoder(spec, tokens), TestPredictionGraphs.joiner(spec, tokens));
    }

    private static void writeExport(TestModelSpec spec, int chunkMs, Path dir, List<String> tokens, OnnxGraph decoder,
                                    OnnxGraph joiner) throws IOException {
        Files.createDirectories(dir);
        TestModelPrecision p = spec.precision();
        OnnxGraph encoder = TestEncoderGraph.build(spec, chunkMs);
        if (p == TestModelPrecision.FP32) {
            encoder.writeWithExternalData(dir.resolve(p.fileName("encoder")), dir.resolve("encoder.data"));
        } else {
            encoder.write(dir.resolve(p.fileName("encoder")));
        }
        decoder.write(dir.resolve(p.fileName("decoder")));
        joiner.write(dir.resolve(p.fileName("joiner")));
        StringBuilder sb = new StringBuilder();
        for (int id = 0; id < tokens.size(); id++) sb.append(tokens.get(id)).append(' ').append(id).append('\n');
        Files.writeString(dir.resolve("tokens.txt"), sb.toString(), StandardCharsets.UTF_8);
    }
}
