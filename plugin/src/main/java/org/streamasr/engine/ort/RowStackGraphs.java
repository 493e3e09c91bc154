package org.streamasr.engine.ort;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import java.util.List;

/**
 * Two tiny ONNX graphs that stack and unstack per-stream tensors along the batch axis, so that batching happens on
 * the execution device without device code of our own: {@link #stack} concatenates {@code n} one-row tensors per port
 * into one tensor of {@code n} rows ({@code Concat} on the port's batch axis), {@link #unstack} splits it back
 * ({@code Split}).
 * Run with {@link IoBinding} on {@link DeviceTensor}s they are device-to-device copies; opened with the model's own
 * session options they run on its execution provider.
 */
public final class RowStackGraphs {
    private static final int OPSET = 13;

    /**
     * One port: its name, element type, the shape of one row without the batch axis, and where the batch axis goes
     * (0 for the encoder caches, 1 for LSTM states {@code [layers, batch, hidden]}).
     */
    public record Port(String name, int elementType, long[] row, int axis) {
        public Port(String name, int elementType, long[] row) {
            this(name, elementType, row, 0);
        }

        /** The shape of {@code rows} rows. */
        public long[] shape(long rows) {
            long[] s = new long[row.length + 1];
            for (int i = 0, j = 0; i < s.length; i++) s[i] = i == axis ? rows : row[j++];
            return s;
        }
    }

    private RowStackGraphs() {
    }

    /** The name of row {@code i}'s tensor of {@code port} in both graphs. */
    public static String rowName(String port, int i) {
        return port + "_" + i;
    }

    /** Inputs {@code port_0..port_(n-1)} of shape {@code [1, row...]}, outputs {@code port} of shape {@code [n, row...]}. */
    public static byte[] stack(int n, List<Port> ports) {
        GraphProto.Builder g = GraphProto.newBuilder().setName("stack_rows_" + n);
        for (Port p : ports) {
            NodeProto.Builder concat = NodeProto.newBuilder().setOpType("Concat").setName("concat_" + p.name())
                    .addAttribute(AttributeProto.newBuilder().setName("axis").setType(AttributeProto.AttributeType.INT).setI(p.axis()));
            for (int i = 0; i < n; i++) {
                g.addInput(value(rowName(p.name(), i), p, 1));
                concat.addInput(rowName(p.name(), i));
            }
            concat.addOutput(p.name());
            g.addNode(concat);
            g.addOutput(value(p.name(), p, n));
        }
        return model(g);
    }

    /** Input {@code port} of shape {@code [n, row...]}, outputs {@code port_0..port_(n-1)} of shape {@code [1, row...]}. */
    public static byte[] unstack(int n, List<Port> ports) {
        GraphProto.Builder g = GraphProto.newBuilder().setName("unstack_rows_" + n);
        for (Port p : ports) {
            g.addInput(value(p.name(), p, n));
            NodeProto.Builder split = NodeProto.newBuilder().setOpType("Split").setName("split_" + p.name()).addInput(p.name())
                    .addAttribute(AttributeProto.newBuilder().setName("axis").setType(AttributeProto.AttributeType.INT).setI(p.axis()));
            for (int i = 0; i < n; i++) {
                split.addOutput(rowName(p.name(), i));
                g.addOutput(value(rowName(p.name(), i), p, 1));
            }
            g.addNode(split);
        }
        return model(g);
    }

    private static ValueInfoProto value(String name, Port p, long rows) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (long d : p.shape(rows)) shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(
                TypeProto.Tensor.newBuilder().setElemType(p.elementType()).setShape(shape))).build();
    }

    private static byte[] model(GraphProto.Builder g) {
        return ModelProto.newBuilder().setIrVersion(8).setProducerName("streamasr")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
                .setGraph(g).build().toByteArray();
    }
}
