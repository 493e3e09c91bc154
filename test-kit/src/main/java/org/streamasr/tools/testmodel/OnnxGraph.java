package org.streamasr.tools.testmodel;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import ai.onnxruntime.platform.Fp16Conversions;
import com.google.protobuf.ByteString;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A small ONNX graph writer on the protobuf classes of {@code tribuo-util-onnx}: nodes by op type, raw little-endian
 * initialisers, symbolic dimensions, {@code metadata_props}. IR 8, opset 17. Initialisers can go to an external
 * {@code .data} file next to the model, as the fp32 Nemotron exports do.
 *
 * <p>The precision decides how float weights and weight matrix products are written ({@link TestModelPrecision}):
 * fp16 weights are float16 initialisers cast to float where used; int8 weight products are dynamically quantised.
 * With {@code halfIo} the float inputs and outputs are float16 and cast at the graph's boundary.
 */
final class OnnxGraph {
    static final int FLOAT = TensorProto.DataType.FLOAT_VALUE;
    static final int FLOAT16 = TensorProto.DataType.FLOAT16_VALUE;
    static final int UINT8 = TensorProto.DataType.UINT8_VALUE;
    static final int INT64 = TensorProto.DataType.INT64_VALUE;
    static final int INT32 = TensorProto.DataType.INT32_VALUE;

    private final GraphProto.Builder graph = GraphProto.newBuilder();
    private final Map<String, String> metadata = new LinkedHashMap<>();
    private final TestModelPrecision precision;
    private final boolean halfIo;
    private int counter;

    OnnxGraph(String name) {
        this(name, TestModelPrecision.FP32, false);
    }

    OnnxGraph(String name, TestModelPrecision precision, boolean halfIo) {
        graph.setName(name);
        this.precision = precision;
        this.halfIo = halfIo;
    }

    /** The element type of float inputs and outputs: float16 with {@code halfIo}, else float. */
    int floatIo() {
        return halfIo ? FLOAT16 : FLOAT;
    }

    /** A float input declared with {@link #floatIo()}; returns the float32 value to compute with. */
    String floatInput(String name, Object... dims) {
        input(name, floatIo(), dims);
        return halfIo ? op("Cast", name, attr("to", (long) FLOAT)) : name;
    }

    /** Declares a float output with {@link #floatIo()} and makes float32 {@code value} it. */
    void floatOutput(String value, String name, Object... dims) {
        output(name, floatIo(), dims);
        alias(halfIo ? op("Cast", value, attr("to", (long) FLOAT16)) : value, name);
    }

    /** A graph input; each dimension is a number or a symbolic name. */
    OnnxGraph input(String name, int type, Object... dims) {
        graph.addInput(valueInfo(name, type, dims));
        return this;
    }

    OnnxGraph output(String name, int type, Object... dims) {
        graph.addOutput(valueInfo(name, type, dims));
        return this;
    }

    OnnxGraph metadata(String key, Object value) {
        metadata.put(key, String.valueOf(value));
        return this;
    }

    /** A float constant: float32, or (fp16 precision) float16 cast up to float32 where used. */
    String floats(String name, float[] values, long... dims) {
        if (precision == TestModelPrecision.FP16) {
            ByteBuffer half = ByteBuffer.allocate(values.length * 2).order(ByteOrder.LITTLE_ENDIAN);
            for (float v : values) half.putShort(Fp16Conversions.floatToFp16(v));
            return op("Cast", initializer(name, FLOAT16, half.array(), dims), attr("to", (long) FLOAT));
        }
        ByteBuffer bytes = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) bytes.putFloat(v);
        return initializer(name, FLOAT, bytes.array(), dims);
    }

    /**
     * {@code a x W} for a constant weight matrix {@code W [rows, cols]}. With int8 precision it is written as
     * onnxruntime's {@code quantize_dynamic} writes a MatMul (uint8 weights): the input quantised at run time with
     * one scale and zero point for the whole tensor ({@code DynamicQuantizeLinear}), an integer product, then the
     * scales applied.
     */
    String weightMatMul(String a, String name, float[] w, long rows, long cols) {
        if (precision != TestModelPrecision.INT8) return op("MatMul", a, floats(name, w, rows, cols));
        float min = 0f;
        float max = 0f;
        for (float x : w) {
            min = Math.min(min, x);
            max = Math.max(max, x);
        }
        float scale = max == min ? 1f : (max - min) / 255f;
        int zeroPoint = Math.max(0, Math.min(255, (int) Math.rint(-min / scale)));
        byte[] q = new byte[w.length];
        for (int i = 0; i < w.length; i++) q[i] = (byte) Math.max(0, Math.min(255, (int) Math.rint(w[i] / scale) + zeroPoint));
        String weights = initializer(name + "_quantized", UINT8, q, rows, cols);
        String weightScale = floats(name + "_scale", new float[] {scale});
        String weightZero = initializer(name + "_zero_point", UINT8, new byte[] {(byte) zeroPoint});
        String aq = fresh(a + "_quantized");
        String aScale = fresh(a + "_scale");
        String aZero = fresh(a + "_zero_point");
        node("DynamicQuantizeLinear", new String[] {a}, new String[] {aq, aScale, aZero});
        String product = op("MatMulInteger", new String[] {aq, weights, aZero, weightZero});
        String scaled = op("Cast", product, attr("to", (long) FLOAT));
        return op("Mul", scaled, op("Mul", aScale, weightScale));
    }

    String longs(String name, long[] values, long... dims) {
        ByteBuffer bytes = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (long v : values) bytes.putLong(v);
        return initializer(name, INT64, bytes.array(), dims);
    }

    /** A float scalar constant (rank 0). */
    String scalar(float value) {
        return floats(fresh("c"), new float[] {value});
    }

    /** A 1-D int64 constant. */
    String ints(long... values) {
        return longs(fresh("i"), values, values.length);
    }

    private String initializer(String name, int type, byte[] raw, long... dims) {
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(type).setRawData(ByteString.copyFrom(raw));
        for (long d : dims) t.addDims(d);
        graph.addInitializer(t);
        return name;
    }

    /** Adds a node with one output and returns that output's name. */
    String op(String opType, String[] inputs, AttributeProto... attributes) {
        String out = fresh(opType.toLowerCase(java.util.Locale.ROOT));
        node(opType, inputs, new String[] {out}, attributes);
        return out;
    }

    String op(String opType, String a, AttributeProto... attributes) {
        return op(opType, new String[] {a}, attributes);
    }

    String op(String opType, String a, String b, AttributeProto... attributes) {
        return op(opType, new String[] {a, b}, attributes);
    }

    void node(String opType, String[] inputs, String[] outputs, AttributeProto... attributes) {
        NodeProto.Builder n = NodeProto.newBuilder().setOpType(opType).setName(fresh("n_" + opType));
        for (String i : inputs) n.addInput(i);
        for (String o : outputs) n.addOutput(o);
        for (AttributeProto a : attributes) n.addAttribute(a);
        graph.addNode(n);
    }

    /** Renames a value to a graph output name. */
    void alias(String value, String outputName) {
        node("Identity", new String[] {value}, new String[] {outputName});
    }

    String fresh(String prefix) {
        return prefix + "_" + (counter++);
    }

    static AttributeProto attr(String name, long value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(value).build();
    }

    static AttributeProto attr(String name, float value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOAT).setF(value).build();
    }

    static AttributeProto attrInts(String name, long... values) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long v : values) a.addInts(v);
        return a.build();
    }

    ModelProto build() {
        ModelProto.Builder m = ModelProto.newBuilder()
                .setIrVersion(8)
                .setProducerName("streamasr make-test-model")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(17))
                .setGraph(graph);
        metadata.forEach((k, v) -> m.addMetadataProps(StringStringEntryProto.newBuilder().setKey(k).setValue(v)));
        return m.build();
    }

    /** Writes the model with its initialisers inline. */
    void write(Path file) throws IOException {
        // streamed: a full-depth encoder is over a gigabyte, and toByteArray() held a second copy of it on the heap
        try (java.io.OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
            build().writeTo(out);
        }
    }

    /** onnx.save's default: smaller tensors stay inline (shape inference needs the small int64 constants). */
    private static final int EXTERNAL_THRESHOLD = 1024;

    /**
     * Writes the model with every float initialiser of 1 KiB or more in {@code dataFile} (same directory), the layout ONNX Runtime reads
     * only when the model is loaded by path.
     */
    void writeWithExternalData(Path file, Path dataFile) throws IOException {
        ModelProto model = build();
        GraphProto.Builder g = model.getGraph().toBuilder();
        long offset = 0;
        try (OutputStream data = Files.newOutputStream(dataFile)) {
            for (int i = 0; i < g.getInitializerCount(); i++) {
                TensorProto t = g.getInitializer(i);
                if (t.getDataType() != FLOAT || t.getRawData().size() < EXTERNAL_THRESHOLD) continue;
                byte[] raw = t.getRawData().toByteArray();
                data.write(raw);
                g.setInitializer(i, t.toBuilder().clearRawData()
                        .setDataLocation(TensorProto.DataLocation.EXTERNAL)
                        .addExternalData(entry("location", dataFile.getFileName().toString()))
                        .addExternalData(entry("offset", Long.toString(offset)))
                        .addExternalData(entry("length", Long.toString(raw.length))));
                offset += raw.length;
            }
        }
        Files.write(file, model.toBuilder().setGraph(g).build().toByteArray());
    }

    private static StringStringEntryProto entry(String k, String v) {
        return StringStringEntryProto.newBuilder().setKey(k).setValue(v).build();
    }

    private static ValueInfoProto valueInfo(String name, int type, Object... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (Object d : dims) {
            TensorShapeProto.Dimension.Builder dim = TensorShapeProto.Dimension.newBuilder();
            if (d instanceof String s) dim.setDimParam(s);
            else dim.setDimValue(((Number) d).longValue());
            shape.addDim(dim);
        }
        return ValueInfoProto.newBuilder().setName(name)
                .setType(TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder().setElemType(type).setShape(shape)))
                .build();
    }
}
