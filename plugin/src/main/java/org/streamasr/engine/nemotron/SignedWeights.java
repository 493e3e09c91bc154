package org.streamasr.engine.nemotron;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import com.google.protobuf.ByteString;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Stores the uint8 weights of a dynamically quantised export's integer matrix products as int8, with the same
 * products: {@code Wq - wzp = (Wq - 128) - (wzp - 128)} for every element, so {@code MatMulInteger} (and the
 * {@code DynamicQuantizeMatMul} ONNX Runtime fuses it into) computes the same int32 sums and the same floats.
 *
 * <p>Why: onnxruntime's {@code quantize_dynamic}, which made the sherpa-onnx int8 files, writes uint8 weights by
 * default, and ONNX Runtime's CPU kernels multiply uint8 by uint8 with a generic kernel, while uint8 activations by
 * int8 weights run on the VNNI dot-product instructions ({@code vpdpbusd}) of CPUs that have them: on the full-depth
 * benchmark encoder the integer products took 0.46x the time (ONNX Runtime's profile, 8 streams). Where a CPU lacks
 * VNNI, ONNX Runtime's uint8-by-int8 kernel adds pairs of products in saturating 16-bit arithmetic and can differ from
 * the exact sums, so this is applied only where {@link SignedInt8Probe} found the exact sums on this machine.
 *
 * <p>A weight is converted only when every use of it (and of its zero point) is the weight input (zero point input) of
 * a {@code MatMulInteger}; a missing weight zero point (0 for uint8) becomes -128. {@code ConvInteger} is left as it
 * is (ONNX Runtime's takes uint8 weights only).
 */
final class SignedWeights {
    private static final int UINT8 = TensorProto.DataType.UINT8_VALUE;
    private static final int INT8 = TensorProto.DataType.INT8_VALUE;
    private static final String ZERO_128 = "signed_w_zero_point_m128";

    /**
     * @param model     the model with converted weights (the same object when none was converted)
     * @param converted matrix products whose weights are now int8
     */
    record Result(ModelProto model, int converted) {
    }

    private SignedWeights() {
    }

    static Result rewrite(ModelProto model) {
        GraphProto graph = model.getGraph();
        Map<String, TensorProto> initializers = new HashMap<>();
        for (TensorProto t : graph.getInitializerList()) initializers.put(t.getName(), t);
        // every (name, input position) use of each value: a weight qualifies only if all its uses are MatMulInteger
        // B (position 1) or its zero point (position 3)
        Set<String> otherUses = new HashSet<>();
        for (NodeProto n : graph.getNodeList()) {
            boolean matMul = n.getOpType().equals("MatMulInteger") && n.getDomain().isEmpty();
            for (int i = 0; i < n.getInputCount(); i++) {
                if (!(matMul && (i == 1 || i == 3))) otherUses.add(n.getInput(i));
            }
        }
        for (var o : graph.getOutputList()) otherUses.add(o.getName());
        Set<String> toConvert = new HashSet<>();
        Set<NodeProto> products = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (NodeProto n : graph.getNodeList()) {
            if (!n.getOpType().equals("MatMulInteger") || !n.getDomain().isEmpty() || n.getInputCount() < 2) continue;
            String w = n.getInput(1);
            String wzp = n.getInputCount() > 3 ? n.getInput(3) : "";
            if (!convertible(w, initializers, otherUses) || (!wzp.isEmpty() && !convertible(wzp, initializers, otherUses))) {
                continue;
            }
            toConvert.add(w);
            if (!wzp.isEmpty()) toConvert.add(wzp);
            products.add(n);
        }
        // a weight shared by a product that cannot be converted (its zero point is used elsewhere) stays uint8 for all
        for (NodeProto n : graph.getNodeList()) {
            if (n.getOpType().equals("MatMulInteger") && n.getInputCount() > 1 && !products.contains(n)) {
                toConvert.remove(n.getInput(1));
                if (n.getInputCount() > 3) toConvert.remove(n.getInput(3));
            }
        }
        products.removeIf(n -> !toConvert.contains(n.getInput(1)));
        if (products.isEmpty()) return new Result(model, 0);

        GraphProto.Builder g = graph.toBuilder().clearNode().clearInitializer();
        for (TensorProto t : graph.getInitializerList()) g.addInitializer(toConvert.contains(t.getName()) ? signed(t) : t);
        boolean zeroAdded = false;
        for (NodeProto n : graph.getNodeList()) {
            if (!products.contains(n) || (n.getInputCount() > 3 && !n.getInput(3).isEmpty())) {
                g.addNode(n);
                continue;
            }
            // a uint8 weight without a zero point had zero point 0: as int8 it is -128
            NodeProto.Builder b = n.toBuilder();
            while (b.getInputCount() < 3) b.addInput("");
            if (b.getInputCount() == 3) b.addInput(ZERO_128);
            else b.setInput(3, ZERO_128);
            g.addNode(b.build());
            if (!zeroAdded) {
                g.addInitializer(TensorProto.newBuilder().setName(ZERO_128).setDataType(INT8)
                        .setRawData(ByteString.copyFrom(new byte[] {(byte) -128})));
                zeroAdded = true;
            }
        }
        return new Result(model.toBuilder().setGraph(g).build(), products.size());
    }

    private static boolean convertible(String name, Map<String, TensorProto> initializers, Set<String> otherUses) {
        TensorProto t = initializers.get(name);
        return t != null && t.getDataType() == UINT8 && !otherUses.contains(name) && t.getExternalDataCount() == 0;
    }

    /** The same tensor as int8: every value minus 128. */
    private static TensorProto signed(TensorProto t) {
        byte[] raw;
        if (t.hasRawData() && !t.getRawData().isEmpty()) {
            raw = t.getRawData().toByteArray();
            for (int i = 0; i < raw.length; i++) raw[i] = (byte) ((raw[i] & 0xff) - 128);
        } else {
            raw = new byte[t.getInt32DataCount()];
            for (int i = 0; i < raw.length; i++) raw[i] = (byte) ((t.getInt32Data(i) & 0xff) - 128);
        }
        return t.toBuilder().clearInt32Data().setDataType(INT8).setRawData(ByteString.copyFrom(raw)).build();
    }
}
