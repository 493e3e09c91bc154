package org.streamasr.engine.nemotron;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The per-row rewrite on a small graph written the way onnxruntime's {@code quantize_dynamic} writes one: a Conv with
 * padding, a depthwise Conv with one-sided padding and stride 2, and a MatMul, each quantised dynamically. Rewritten,
 * a batch gives every row the bits it gets alone, and a row alone gets the original graph's bits.
 */
class RowQuantizationTest {
    private static final int C = 4;
    private static final int T = 10;
    private static final int B = 3;
    private static final String[] OUTPUTS = {"conv", "depthwise", "product"};
    private final Random random = new Random(42);
    private final GraphProto.Builder g = GraphProto.newBuilder().setName("q");
    private int n;

    @Test
    void convolutionsAndProductsQuantisedPerRowAreBatchExactAndEqualTheOriginalAlone() throws Exception {
        ModelProto original = model();
        RowQuantization.Result r = RowQuantization.rewrite(original);
        assertEquals(List.of(), r.left());
        assertEquals(3, r.rewritten());
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
            o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.BASIC_OPT);
            o.setIntraOpNumThreads(1);
            try (OrtSession before = env.createSession(original.toByteArray(), o);
                 OrtSession after = env.createSession(r.model().toByteArray(), o)) {
                float[] x = new float[B * C * T];
                for (int b = 0; b < B; b++) {
                    for (int i = 0; i < C * T; i++) x[b * C * T + i] = (float) (random.nextGaussian() * (1 + 5 * b) + b);
                }
                float[][] batch = run(env, after, x, B);
                for (int b = 0; b < B; b++) {
                    float[] row = java.util.Arrays.copyOfRange(x, b * C * T, (b + 1) * C * T);
                    float[][] alone = run(env, after, row, 1);
                    float[][] originalAlone = run(env, before, row, 1);
                    for (int k = 0; k < OUTPUTS.length; k++) {
                        int per = alone[k].length;
                        assertArrayEquals(alone[k], java.util.Arrays.copyOfRange(batch[k], b * per, (b + 1) * per),
                                OUTPUTS[k] + " of row " + b + ": batch = alone");
                        assertArrayEquals(originalAlone[k], alone[k], OUTPUTS[k] + " of row " + b + ": rewritten = original");
                    }
                }
                float[][] originalBatch = run(env, before, x, B);
                assertEquals(false, java.util.Arrays.equals(originalBatch[0], batch[0]),
                        "the graph as written mixes the rows' ranges (so the test can tell)");
            }
        }
    }

    private static float[][] run(OrtEnvironment env, OrtSession s, float[] x, int rows) throws Exception {
        try (OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[] {rows, C, T});
             OrtSession.Result out = s.run(Map.of("x", in))) {
            float[][] r = new float[OUTPUTS.length][];
            for (int k = 0; k < OUTPUTS.length; k++) {
                FloatBuffer f = ((OnnxTensor) out.get(OUTPUTS[k]).get()).getFloatBuffer();
                r[k] = new float[f.remaining()];
                f.get(r[k]);
            }
            return r;
        }
    }

    private ModelProto model() {
        g.addInput(value("x", TensorProto.DataType.FLOAT_VALUE, "batch", C, T));
        String[] q = dynamicQuantize("x");
        quantised("ConvInteger", q, weights("conv_w", 6, C, 3), "conv",
                ints("pads", 1, 1));
        quantised("ConvInteger", q, weights("dw_w", C, 1, 3), "depthwise",
                ints("pads", 2, 0), ints("strides", 2), AttributeProto.newBuilder().setName("group")
                        .setType(AttributeProto.AttributeType.INT).setI(C).build());
        String xt = node("Transpose", new String[] {"x"}, ints("perm", 0, 2, 1));
        quantised("MatMulInteger", dynamicQuantize(xt), weights("mm_w", C, 5), "product");
        for (String o : OUTPUTS) g.addOutput(ValueInfoProto.newBuilder().setName(o));
        return ModelProto.newBuilder().setIrVersion(8).addOpsetImport(OperatorSetIdProto.newBuilder().setVersion(17))
                .setGraph(g).build();
    }

    /** quantize_dynamic's pattern: integer op → Cast → Mul by x_scale * w_scale. */
    private void quantised(String opType, String[] q, String w, String output, AttributeProto... attributes) {
        String y = node(opType, new String[] {q[0], w, q[2], w + "_zero"}, attributes);
        String scale = node("Mul", new String[] {q[1], w + "_scale"});
        String f = node("Cast", new String[] {y}, AttributeProto.newBuilder().setName("to")
                .setType(AttributeProto.AttributeType.INT).setI(TensorProto.DataType.FLOAT_VALUE).build());
        g.addNode(NodeProto.newBuilder().setOpType("Mul").setName("out_" + output).addInput(f).addInput(scale).addOutput(output));
    }

    private String[] dynamicQuantize(String x) {
        String[] out = {x + "_q", x + "_scale", x + "_zp"};
        g.addNode(NodeProto.newBuilder().setOpType("DynamicQuantizeLinear").setName("dql_" + x).addInput(x)
                .addOutput(out[0]).addOutput(out[1]).addOutput(out[2]));
        return out;
    }

    private String weights(String name, long... dims) {
        int count = 1;
        for (long d : dims) count *= (int) d;
        byte[] w = new byte[count];
        for (int i = 0; i < count; i++) w[i] = (byte) random.nextInt(256);
        g.addInitializer(tensor(name, TensorProto.DataType.UINT8_VALUE, w, dims));
        g.addInitializer(tensor(name + "_zero", TensorProto.DataType.UINT8_VALUE, new byte[] {(byte) 131}));
        byte[] scale = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(0.0123f).array();
        g.addInitializer(tensor(name + "_scale", TensorProto.DataType.FLOAT_VALUE, scale));
        return name;
    }

    private String node(String opType, String[] inputs, AttributeProto... attributes) {
        String out = opType.toLowerCase(java.util.Locale.ROOT) + "_" + (n++);
        NodeProto.Builder b = NodeProto.newBuilder().setOpType(opType).setName("n_" + out).addOutput(out);
        for (String i : inputs) b.addInput(i);
        for (AttributeProto a : attributes) b.addAttribute(a);
        g.addNode(b);
        return out;
    }

    private static AttributeProto ints(String name, long... values) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long v : values) a.addInts(v);
        return a.build();
    }

    private static TensorProto tensor(String name, int type, byte[] raw, long... dims) {
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(type).setRawData(ByteString.copyFrom(raw));
        for (long d : dims) t.addDims(d);
        return t.build();
    }

    private static ValueInfoProto value(String name, int type, Object... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (Object d : dims) {
            if (d instanceof String s) shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimParam(s));
            else shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(((Number) d).longValue()));
        }
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder()
                .setTensorType(TypeProto.Tensor.newBuilder().setElemType(type).setShape(shape))).build();
    }
}
