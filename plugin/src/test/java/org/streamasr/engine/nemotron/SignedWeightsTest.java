package org.streamasr.engine.nemotron;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.streamasr.engine.EngineConfig;

/**
 * int8 weights ({@link SignedWeights}) on the constructed int8 model (quantised like the sherpa-onnx files, uint8
 * weights): every weight product of the graph as written and of the per-row rewrite is converted, and where this
 * machine's ONNX Runtime multiplies uint8 by int8 exactly ({@link SignedInt8Probe}) the encoder and joiner give the
 * same bits as with the weights as written, alone and batched.
 */
class SignedWeightsTest {
    private final OrtEnvironment env = OrtEnvironment.getEnvironment();

    private static OrtSessionFactory sessions() {
        return new OrtSessionFactory(OrtEnvironment.getEnvironment(), EngineConfig.builder().engine("nemotron")
                .modelDir(Int8BatchingTest.int8Model()).intraOpThreads(1).build());
    }

    private static ModelDirectory.Export export() {
        return ModelDirectory.scan(Int8BatchingTest.int8Model(), List.of()).get(560);
    }

    @Test
    void everyWeightProductOfTheExportAndOfItsPerRowRewriteGetsInt8Weights() throws Exception {
        for (Path file : List.of(export().encoder(), export().joiner())) {
            ModelProto original = ModelProto.parseFrom(Files.readAllBytes(file));
            for (ModelProto m : List.of(original, RowQuantization.rewrite(original).model())) {
                long products = m.getGraph().getNodeList().stream().filter(n -> n.getOpType().equals("MatMulInteger")).count();
                assertTrue(products > 0, file + " has weight products");
                SignedWeights.Result r = SignedWeights.rewrite(m);
                assertEquals(products, r.converted(), file + ": every product converted");
                Map<String, TensorProto> init = new HashMap<>();
                r.model().getGraph().getInitializerList().forEach(t -> init.put(t.getName(), t));
                for (NodeProto n : r.model().getGraph().getNodeList()) {
                    if (!n.getOpType().equals("MatMulInteger")) continue;
                    assertEquals(TensorProto.DataType.INT8_VALUE, init.get(n.getInput(1)).getDataType(), n.getName());
                    assertEquals(TensorProto.DataType.INT8_VALUE, init.get(n.getInput(3)).getDataType(), n.getName());
                }
            }
        }
    }

    @Test
    void whereTheProbeFindsExactProductsInt8WeightsGiveTheSameBitsAloneAndBatched() throws Exception {
        OrtSessionFactory sessions = sessions();
        assumeTrue(SignedInt8Probe.exact(sessions), "this CPU's ONNX Runtime does not multiply uint8 by int8 exactly "
                + "(no VNNI): int8-weights = auto keeps the weights as written here, so there is nothing to compare");
        for (Path file : List.of(export().encoder(), export().joiner())) {
            ModelProto original = ModelProto.parseFrom(Files.readAllBytes(file));
            ModelProto perRow = RowQuantization.rewrite(original).model();
            for (ModelProto m : List.of(original, perRow)) {
                try (OrtSession asWritten = sessions.open(file, m.toByteArray());
                     OrtSession signed = sessions.open(file, SignedWeights.rewrite(m).model().toByteArray())) {
                    for (int batch : new int[] {1, 3}) {
                        Map<String, OnnxTensor> inputs = inputs(asWritten, batch, new Random(batch));
                        try {
                            List<float[]> a = outputs(asWritten, inputs);
                            List<float[]> b = outputs(signed, inputs);
                            for (int i = 0; i < a.size(); i++) {
                                assertArrayEquals(a.get(i), b.get(i), file.getFileName() + (m == perRow ? " per row" : "")
                                        + ", batch " + batch + ", output " + i);
                            }
                        } finally {
                            inputs.values().forEach(OnnxTensor::close);
                        }
                    }
                }
            }
        }
    }

    /**
     * The probe answers for the CPU: ONNX Runtime's uint8-by-int8 kernels are exact where the CPU has VNNI
     * (AVX512-VNNI or AVX-VNNI) and saturate 16-bit pair sums where it does not.
     */
    @Test
    void theProbeAnswersWhetherThisX86CpuHasVnni() throws Exception {
        Path cpuinfo = Path.of("/proc/cpuinfo");
        String arch = System.getProperty("os.arch");
        assumeTrue(Files.isReadable(cpuinfo) && (arch.equals("amd64") || arch.equals("x86_64")),
                "the VNNI flags are read from /proc/cpuinfo of an x86-64 Linux machine; this is " + arch);
        String flags = Files.readAllLines(cpuinfo).stream().filter(l -> l.startsWith("flags")).findFirst().orElse("");
        boolean vnni = List.of(flags.split("\\s+")).stream().anyMatch(f -> f.equals("avx512_vnni") || f.equals("avx_vnni"));
        assertEquals(vnni, SignedInt8Probe.exact(sessions()), "VNNI in /proc/cpuinfo: " + vnni);
    }

    /** Random features and caches of the export's shapes for the encoder; random vectors for the joiner. */
    private Map<String, OnnxTensor> inputs(OrtSession s, int batch, Random random) throws Exception {
        EncoderContract c = export().contract();
        Map<String, long[]> encoder = Map.of("audio_signal", new long[] {batch, c.featDim(), c.windowSize()},
                "cache_last_channel", new long[] {batch, c.layers(), c.leftContext(), c.dModel()},
                "cache_last_time", new long[] {batch, c.timeLayers(), c.timeDim(), c.convContext()});
        Map<String, Long> counts = Map.of("length", (long) c.windowSize(), "cache_last_channel_len", 0L,
                EncoderContract.PROMPT_INDEX, (long) c.autoPromptId());
        Map<String, OnnxTensor> in = new HashMap<>();
        for (var e : s.getInputInfo().entrySet()) {
            TensorInfo info = (TensorInfo) e.getValue().getInfo();
            long[] shape = encoder.get(e.getKey());
            if (shape == null) {
                shape = info.getShape().clone();
                for (int i = 0; i < shape.length; i++) if (shape[i] < 0) shape[i] = i == 0 ? batch : 1;
            }
            int n = 1;
            for (long d : shape) n *= (int) d;
            if (info.type == OnnxJavaType.FLOAT) {
                float[] v = new float[n];
                double sd = e.getKey().startsWith("cache") ? 0.2 : 1.0;
                for (int i = 0; i < n; i++) v[i] = (float) (random.nextGaussian() * sd);
                in.put(e.getKey(), OnnxTensor.createTensor(env, FloatBuffer.wrap(v), shape));
            } else {
                long[] v = new long[n];
                java.util.Arrays.fill(v, counts.getOrDefault(e.getKey(), 0L));
                in.put(e.getKey(), OnnxTensor.createTensor(env, LongBuffer.wrap(v), shape));
            }
        }
        return in;
    }

    private static List<float[]> outputs(OrtSession s, Map<String, OnnxTensor> inputs) throws Exception {
        List<float[]> out = new ArrayList<>();
        try (OrtSession.Result r = s.run(inputs)) {
            for (var e : r) {
                if (e.getValue() instanceof OnnxTensor t && t.getInfo().type == OnnxJavaType.FLOAT) {
                    FloatBuffer b = t.getFloatBuffer();
                    float[] v = new float[b.remaining()];
                    b.get(v);
                    out.add(v);
                }
            }
        }
        return out;
    }
}
