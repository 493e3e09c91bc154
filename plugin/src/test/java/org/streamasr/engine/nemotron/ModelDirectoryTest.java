package org.streamasr.engine.nemotron;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streamasr.engine.EngineConfig;
import org.streamasr.engine.ModelContractException;
import org.streamasr.tools.testmodel.TestModelPrecision;
import org.streamasr.tools.testmodel.TestModelSpec;
import org.streamasr.tools.testmodel.TestModelVariant;
import org.streamasr.tools.testmodel.TestModelWriter;

/** A model directory that does not fit the contract fails at start-up with the file and the mismatch named. */
class ModelDirectoryTest {
    @TempDir
    Path dir;

    private Path export(TestModelVariant v) throws IOException {
        Path e = dir.resolve("export");
        TestModelWriter.writeExport(TestModelSpec.tiny(v), 560, e);
        return e;
    }

    private static ModelContractException open(Path modelDir) {
        return assertThrows(ModelContractException.class, () -> NemotronEngine.open(
                EngineConfig.builder().engine("nemotron").modelDir(modelDir).build()).close());
    }

    private static void assertNames(ModelContractException e, Path file, String... parts) {
        assertTrue(e.getMessage().startsWith(file.toString()), "names the file: " + e.getMessage());
        for (String p : parts) assertTrue(e.getMessage().contains(p), "says '" + p + "': " + e.getMessage());
    }

    private static void rewrite(Path onnx, UnaryOperator<ModelProto> change) throws IOException {
        Files.write(onnx, change.apply(ModelProto.parseFrom(Files.readAllBytes(onnx))).toByteArray());
    }

    private static ModelProto metadata(ModelProto m, String key, String value) {
        ModelProto.Builder b = m.toBuilder().clearMetadataProps();
        for (StringStringEntryProto e : m.getMetadataPropsList()) {
            if (!e.getKey().equals(key)) b.addMetadataProps(e);
        }
        if (value != null) b.addMetadataProps(StringStringEntryProto.newBuilder().setKey(key).setValue(value));
        return b.build();
    }

    private static ModelProto input(ModelProto m, String name, UnaryOperator<ValueInfoProto> change) {
        ModelProto.Builder b = m.toBuilder();
        for (int i = 0; i < b.getGraph().getInputCount(); i++) {
            if (b.getGraph().getInput(i).getName().equals(name)) {
                b.getGraphBuilder().setInput(i, change.apply(b.getGraph().getInput(i)));
            }
        }
        return b.build();
    }

    @Test
    void aGoodExportLoads() throws IOException {
        Path e = export(TestModelVariant.ML);
        Map<Integer, ModelDirectory.Export> found = ModelDirectory.scan(e, List.of());
        assertEquals(List.of(560), List.copyOf(found.keySet()));
        EncoderContract c = found.get(560).contract();
        assertEquals(65, c.windowSize());
        assertEquals(56, c.chunkShift());
        assertEquals(9, c.preEncode());
        assertEquals(7, c.outFrames());
        assertEquals(56, c.leftContext());
        assertEquals(101, c.autoPromptId());
        assertEquals(9, c.promptDictionary().get("de-DE"));
    }

    @Test
    void missingFiles() throws IOException {
        Path e = export(TestModelVariant.EN);
        Files.delete(e.resolve("joiner.onnx"));
        assertNames(open(e), e, "no joiner*.onnx");
        Path again = dir.resolve("again");
        TestModelWriter.writeExport(TestModelSpec.tiny(TestModelVariant.EN), 80, again);
        Files.delete(again.resolve("tokens.txt"));
        assertNames(open(again), again.resolve("tokens.txt"), "not found");
        assertNames(open(dir.resolve("nowhere")), dir.resolve("nowhere"), "not found");
        Path empty = Files.createDirectories(dir.resolve("empty"));
        assertNames(open(empty), empty, "no encoder*.onnx");
    }

    @Test
    void wrongInputName() throws IOException {
        Path e = export(TestModelVariant.EN);
        Path encoder = e.resolve("encoder.onnx");
        rewrite(encoder, m -> input(m, "audio_signal", v -> v.toBuilder().setName("audio").build()));
        assertNames(open(e), encoder, "unexpected input 'audio'");
    }

    @Test
    void wrongDtype() throws IOException {
        Path e = export(TestModelVariant.EN);
        Path encoder = e.resolve("encoder.onnx");
        rewrite(encoder, m -> input(m, "cache_last_channel_len", v -> {
            ValueInfoProto.Builder b = v.toBuilder();
            b.getTypeBuilder().getTensorTypeBuilder().setElemType(TensorProto.DataType.INT32_VALUE);
            return b.build();
        }));
        assertNames(open(e), encoder, "'cache_last_channel_len' is int32, expected int64");
        Path decoder = export(TestModelVariant.ML).resolve("decoder.onnx");
        rewrite(decoder, m -> input(m, "targets", v -> {
            ValueInfoProto.Builder b = v.toBuilder();
            b.getTypeBuilder().getTensorTypeBuilder().setElemType(TensorProto.DataType.INT64_VALUE);
            return b.build();
        }));
        assertNames(open(decoder.getParent()), decoder, "'targets' is int64, expected int32");
    }

    @Test
    void badMetadata() throws IOException {
        Path e = export(TestModelVariant.ML);
        Path encoder = e.resolve("encoder.onnx");
        rewrite(encoder, m -> metadata(m, "window_size", null));
        assertNames(open(e), encoder, "metadata 'window_size' missing");
        rewrite(encoder, m -> metadata(metadata(m, "window_size", "65"), "chunk_size_ms", "five hundred"));
        assertNames(open(e), encoder, "metadata 'chunk_size_ms' is 'five hundred'");
        rewrite(encoder, m -> metadata(m, "chunk_size_ms", "320"));
        assertNames(open(e), encoder, "chunk_size_ms 320 does not match chunk_shift 56");
        rewrite(encoder, m -> metadata(metadata(m, "chunk_size_ms", "560"), "prompt_dictionary", "{en-US: 0"));
        assertNames(open(e), encoder, "prompt_dictionary is not JSON");
        rewrite(encoder, m -> metadata(metadata(m, "prompt_dictionary", "{\"auto\": 101}"), "cache_last_channel_dim3", "63"));
        assertNames(open(e), encoder, "dimension 3 is 64 but metadata cache_last_channel_dim3 is 63");
        rewrite(encoder, m -> metadata(metadata(m, "cache_last_channel_dim3", "64"), "normalize_type", "per_feature"));
        assertNames(open(e), encoder, "normalize_type is 'per_feature'");
    }

    @Test
    void vocabularyMustMatchTheModel() throws IOException {
        Path e = export(TestModelVariant.EN);
        Path tokens = e.resolve("tokens.txt");
        List<String> lines = Files.readAllLines(tokens);
        Files.write(tokens, lines.subList(0, lines.size() - 1));
        assertNames(open(e), tokens, "17 pieces, but the model's vocab_size + blank is 18");
        Files.write(tokens, lines.subList(1, lines.size()));
        assertNames(open(e), tokens, "17 pieces");
        List<String> noBlank = new java.util.ArrayList<>(lines);
        noBlank.set(lines.size() - 1, "<pad> 17");
        Files.write(tokens, noBlank);
        assertNames(open(e), tokens, "expected the blank '<blk>'");
    }

    @Test
    void oneExportPerChunkSizeAndOneModelPerDirectory() throws IOException {
        TestModelWriter.writeExport(TestModelSpec.tiny(TestModelVariant.EN), 560, dir.resolve("a"));
        TestModelWriter.writeExport(TestModelSpec.tiny(TestModelVariant.EN), 560, dir.resolve("b"));
        assertTrue(open(dir).getMessage().contains("two exports for 560 ms"));
        Files.walk(dir.resolve("b")).sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        TestModelWriter.writeExport(TestModelSpec.tiny(TestModelVariant.ML), 80, dir.resolve("c"));
        assertTrue(open(dir).getMessage().contains("not the same model"), open(dir).getMessage());
    }

    @Test
    void int8AndFp32SideBySidePickByPrecision() throws IOException {
        Path e = export(TestModelVariant.EN);
        for (String kind : List.of("encoder", "decoder", "joiner")) {
            Files.copy(e.resolve(kind + ".onnx"), e.resolve(kind + ".int8.onnx"));
        }
        assertEquals(e.resolve("encoder.int8.onnx"), ModelDirectory.scan(e, "int8").get(560).encoder());
        assertEquals(e.resolve("joiner.int8.onnx"), ModelDirectory.scan(e, "int8").get(560).joiner());
        assertEquals(e.resolve("decoder.onnx"), ModelDirectory.scan(e, "fp32").get(560).decoder());
        ModelContractException ambiguous = assertThrows(ModelContractException.class, () -> ModelDirectory.scan(e, List.of()));
        assertTrue(ambiguous.getMessage().contains("nemotron.precision"), ambiguous.getMessage());
    }

    @Test
    void threePrecisionsSideBySidePickByProviderOrSetting() throws IOException {
        Path e = export(TestModelVariant.EN);
        TestModelSpec spec = TestModelSpec.tiny(TestModelVariant.EN);
        TestModelWriter.writeExport(spec.withPrecision(TestModelPrecision.INT8), 560, e);
        TestModelWriter.writeExport(spec.withPrecision(TestModelPrecision.FP16), 560, e);
        assertEquals(e.resolve("encoder.int8.onnx"), encoder(e, "auto", OrtSessionFactory.CPU));
        assertEquals(e.resolve("encoder.onnx"), encoder(e, "auto", OrtSessionFactory.CUDA));
        assertEquals(e.resolve("encoder.fp16.onnx"), encoder(e, "fp16", OrtSessionFactory.CPU));
        ModelDirectory.Export fp16 = ModelDirectory.scan(e, "fp16").get(560);
        assertEquals(e.resolve("decoder.fp16.onnx"), fp16.decoder());
        assertEquals(e.resolve("joiner.fp16.onnx"), fp16.joiner());
        for (String kind : List.of("encoder", "decoder", "joiner")) Files.delete(e.resolve(kind + ".onnx"));
        assertEquals(e.resolve("encoder.fp16.onnx"), encoder(e, "auto", OrtSessionFactory.CUDA), "CUDA: fp32, then fp16");
        assertEquals(e.resolve("encoder.int8.onnx"), encoder(e, "auto", OrtSessionFactory.CPU));
        assertNames(assertThrows(ModelContractException.class, () -> ModelDirectory.scan(e, "fp32")), e,
                "several encoder files [encoder.fp16.onnx, encoder.int8.onnx] and none or several of precision [fp32]");
    }

    private static Path encoder(Path dir, String precision, String provider) {
        return ModelDirectory.scan(dir, ModelDirectory.preference(precision, provider)).get(560).encoder();
    }

    @Test
    void anFp32EncoderWithoutItsWeightsFileFailsAtStartUpNamingIt() throws IOException {
        Path e = export(TestModelVariant.EN);
        Path encoder = e.resolve("encoder.onnx");
        Files.delete(e.resolve("encoder.data"));
        assertNames(open(e), encoder, "its weights are in 'encoder.data', which is missing", e.resolve("encoder.data").toString());
        Files.write(e.resolve("encoder.data"), new byte[10]);
        assertNames(open(e), encoder, "has 10 bytes", "partial download");
    }

    @Test
    void aMultilingualExportWithTheOldLeftContextIsAWarning() throws IOException {
        Path old = dir.resolve("old");
        TestModelSpec tiny = TestModelSpec.tiny(TestModelVariant.ML);
        TestModelWriter.writeExport(new TestModelSpec(TestModelVariant.ML, List.of(560), tiny.dModel(), tiny.layers(), 70,
                tiny.predHidden(), tiny.jointHidden(), tiny.vocabSize(), tiny.promptIds(), 1), 560, old);
        List<String> warnings = warnings(() -> NemotronEngine.open(EngineConfig.builder().engine("nemotron").modelDir(old)
                .build()).close());
        assertEquals(1, warnings.size(), warnings.toString());
        String w = warnings.get(0);
        for (String part : List.of(old.resolve("encoder.onnx").toString(), "cache_last_channel_dim2 is 70, not 56",
                "before 2026-07-08", "re-download")) {
            assertTrue(w.contains(part), "says '" + part + "': " + w);
        }
        assertEquals(List.of(), warnings(() -> ModelDirectory.scan(export(TestModelVariant.ML), List.of())), "56: current");
        assertEquals(70, TestModelSpec.tiny(TestModelVariant.EN).leftContext());
        Path english = dir.resolve("english");
        TestModelWriter.writeExport(TestModelSpec.tiny(TestModelVariant.EN), 560, english);
        assertEquals(List.of(), warnings(() -> ModelDirectory.scan(english, List.of())), "70 is right for English");
    }

    private interface Action {
        void run() throws IOException;
    }

    private static List<String> warnings(Action action) throws IOException {
        ch.qos.logback.classic.Logger logger = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(ModelDirectory.class);
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> logged = new ch.qos.logback.core.read.ListAppender<>();
        logged.start();
        logger.addAppender(logged);
        try {
            action.run();
        } finally {
            logger.detachAppender(logged);
        }
        return logged.list.stream().filter(e -> e.getLevel() == ch.qos.logback.classic.Level.WARN)
                .map(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage).toList();
    }
}
