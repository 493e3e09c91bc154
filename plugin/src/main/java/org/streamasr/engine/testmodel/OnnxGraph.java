package org.streamasr.engine.testmodel;

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
 */
final class OnnxGraph {
    static final int FLOAT = TensorProto.DataType.FLOAT_VALUE;
    static final int INT64 = TensorProto.DataType.INT64_VALUE;
    static final int INT32 = TensorProto.DataType.INT32_VALUE;

    private final GraphProto.Builder graph = GraphProto.newBuilder();
    private final Map<String, String> metadata = new LinkedHashMap<>();
    private int counter;

    OnnxGraph(String name) {
        graph.setName(name);
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

    String floats(String name, float[] values, long... dims) {
        ByteBuffer bytes = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) bytes.putFloat(v);
        return initializer(name, FLOAT, bytes.array(), dims);
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
        Files.write(file, build().toByteArray());
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
