package org.streamasr.engine.nemotron;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Makes a dynamically quantised export (onnxruntime's {@code quantize_dynamic}, how the sherpa-onnx int8 files are
 * made) quantise each batch row on its own, so that a stream's results in a batch are exactly its results alone.
 *
 * <p>{@code quantize_dynamic} writes a weight product {@code x W} as {@code DynamicQuantizeLinear(x)} (one scale and
 * zero point for the whole tensor, so over every stream of a batch), {@code MatMulInteger(xq, Wq, xzp, wzp)},
 * {@code Cast} to float and {@code Mul} by {@code x_scale * w_scale}. The rewrite computes, per row of axis 0 (the
 * batch), the same numbers ONNX Runtime's {@code DynamicQuantizeLinear} computes for a whole tensor (min and max with
 * 0 included; scale {@code (max - min) / 255}, or 1 when they are equal; zero point {@code round-half-even(clip(-min /
 * scale, 0, 255))}), quantises with {@code QuantizeLinear} per axis 0 (the same MLAS kernel), and since ONNX
 * Runtime's {@code MatMulInteger} takes only one zero point for its first input, runs it without one and subtracts
 * {@code zp_row * colsum(Wq - wzp)} (exact in int32), then rescales each row by its own {@code scale * w_scale}. A
 * row alone gets the numbers of the original graph; in a batch, the same.
 *
 * <p>{@code ConvInteger} (a quantised Conv, same pattern) is rewritten alike; its correction is
 * {@code zp_row} times a ConvInteger of ones over one row's shape, which sums {@code Wq - wzp} over exactly the kernel
 * taps that fall on the input at each output position (padding included). Only those patterns are rewritten. Other
 * dynamic quantisation (a product of two activations, {@code DynamicQuantizeLSTM}, fused
 * {@code DynamicQuantizeMatMul}) is left as it is and reported in {@link Result#left()}: such a file still depends on
 * batch mates.
 */
final class RowQuantization {
    private static final int FLOAT = TensorProto.DataType.FLOAT_VALUE;
    private static final int UINT8 = TensorProto.DataType.UINT8_VALUE;
    private static final int INT32 = TensorProto.DataType.INT32_VALUE;
    private static final int INT64 = TensorProto.DataType.INT64_VALUE;
    private static final String P = "rowq_";

    /**
     * @param model     the rewritten model
     * @param rewritten weight products now quantised per row
     * @param left      dynamic quantisation still per tensor, one line each (empty: the file is batch-exact)
     */
    record Result(ModelProto model, int rewritten, List<String> left) {
        boolean batchExact() {
            return left.isEmpty();
        }
    }

    /** One weight product of a DynamicQuantizeLinear: MatMulInteger → Cast → Mul(·, x_scale * w_scale). */
    private record Product(NodeProto matMul, NodeProto cast, NodeProto scaleMul, NodeProto outMul, String wq, String wzp,
                           String wScale, long rows, long cols) {
    }

    private final GraphProto graph;
    private final Map<String, TensorProto> initializers = new HashMap<>();
    private final Map<String, NodeProto> producers = new HashMap<>();
    private final Map<String, List<NodeProto>> consumers = new HashMap<>();
    private final int opset;
    private final List<NodeProto> added = new ArrayList<>();
    private final List<TensorProto> constants = new ArrayList<>();
    private final Set<String> constantNames = new HashSet<>();
    private int counter;

    private RowQuantization(ModelProto model) {
        this.graph = model.getGraph();
        for (TensorProto t : graph.getInitializerList()) initializers.put(t.getName(), t);
        for (NodeProto n : graph.getNodeList()) {
            for (String o : n.getOutputList()) producers.put(o, n);
            for (String i : n.getInputList()) consumers.computeIfAbsent(i, k -> new ArrayList<>()).add(n);
        }
        int v = 0;
        for (OperatorSetIdProto o : model.getOpsetImportList()) {
            if (o.getDomain().isEmpty() || o.getDomain().equals("ai.onnx")) v = (int) o.getVersion();
        }
        this.opset = v;
    }

    /** The model with every rewritable weight product quantised per row; the model itself when there is none. */
    static Result rewrite(ModelProto model) {
        return new RowQuantization(model).run(model);
    }

    private Result run(ModelProto model) {
        List<String> left = new ArrayList<>();
        Map<NodeProto, List<Product>> plans = new HashMap<>();
        for (NodeProto n : graph.getNodeList()) {
            if (OnnxFileSummary.DYNAMIC_QUANTIZATION.contains(n.getOpType()) && !n.getOpType().equals("DynamicQuantizeLinear")) {
                left.add(n.getOpType() + " " + n.getName());
                continue;
            }
            if (!n.getOpType().equals("DynamicQuantizeLinear")) continue;
            String why = opset < 13 ? "opset " + opset + " has no per-axis QuantizeLinear" : null;
            List<Product> products = why == null ? products(n) : null;
            if (products == null) {
                left.add("DynamicQuantizeLinear " + n.getName() + " (" + (why != null ? why : "not a weight product") + ")");
            } else {
                plans.put(n, products);
            }
        }
        if (plans.isEmpty()) return new Result(model, 0, List.copyOf(left));
        Set<NodeProto> removed = new HashSet<>();
        Map<NodeProto, Product> byOutMul = new HashMap<>();
        Map<Product, String[]> rowsOf = new HashMap<>();
        for (Map.Entry<NodeProto, List<Product>> e : plans.entrySet()) {
            removed.add(e.getKey());
            for (Product p : e.getValue()) {
                removed.add(p.matMul());
                removed.add(p.cast());
                removed.add(p.scaleMul());
                byOutMul.put(p.outMul(), p);
            }
        }
        GraphProto.Builder g = graph.toBuilder().clearNode();
        Map<NodeProto, String[]> quantised = new HashMap<>();
        int products = 0;
        for (NodeProto n : graph.getNodeList()) {
            if (plans.containsKey(n)) {
                String[] q = quantisePerRow(n.getInput(0));
                quantised.put(n, q);
                for (Product p : plans.get(n)) rowsOf.put(p, q);
                g.addAllNode(takeAdded());
            } else if (byOutMul.containsKey(n)) {
                Product p = byOutMul.get(n);
                product(p, rowsOf.get(p), n.getOutput(0));
                g.addAllNode(takeAdded());
                products++;
            } else if (!removed.contains(n)) {
                g.addNode(n);
            }
        }
        g.addAllInitializer(constants);
        return new Result(model.toBuilder().setGraph(g).build(), products, List.copyOf(left));
    }

    /** The weight products fed by a DynamicQuantizeLinear node, or null when any consumer is something else. */
    private List<Product> products(NodeProto dql) {
        String xq = dql.getOutput(0);
        String xScale = dql.getOutput(1);
        String xZero = dql.getOutput(2);
        List<Product> out = new ArrayList<>();
        Set<NodeProto> scaleMuls = new HashSet<>();
        for (NodeProto mm : consumers.getOrDefault(xq, List.of())) {
            boolean conv = mm.getOpType().equals("ConvInteger");
            if (!(conv || mm.getOpType().equals("MatMulInteger")) || mm.getInputCount() < 3 || !mm.getInput(0).equals(xq)
                    || !mm.getInput(2).equals(xZero)) return null;
            TensorProto w = initializers.get(mm.getInput(1));
            if (w == null || w.getDataType() != UINT8 || (conv ? w.getDimsCount() < 3 : w.getDimsCount() != 2)) return null;
            String wzp = mm.getInputCount() > 3 ? mm.getInput(3) : "";
            if (!wzp.isEmpty() && (!initializers.containsKey(wzp) || initializers.get(wzp).getDataType() != UINT8)) return null;
            NodeProto cast = only(mm.getOutput(0));
            if (cast == null || !cast.getOpType().equals("Cast") || intAttr(cast, "to") != FLOAT) return null;
            NodeProto outMul = only(cast.getOutput(0));
            if (outMul == null || !outMul.getOpType().equals("Mul")) return null;
            String s = outMul.getInput(0).equals(cast.getOutput(0)) ? outMul.getInput(1) : outMul.getInput(0);
            NodeProto scaleMul = producers.get(s);
            if (scaleMul == null || !scaleMul.getOpType().equals("Mul") || !scaleMul.getInputList().contains(xScale)
                    || consumers.getOrDefault(s, List.of()).size() != 1) return null;
            String wScale = scaleMul.getInput(0).equals(xScale) ? scaleMul.getInput(1) : scaleMul.getInput(0);
            scaleMuls.add(scaleMul);
            out.add(new Product(mm, cast, scaleMul, outMul, mm.getInput(1), wzp, wScale, w.getDims(0), w.getDims(1)));
        }
        for (NodeProto c : consumers.getOrDefault(xScale, List.of())) if (!scaleMuls.contains(c)) return null;
        for (NodeProto c : consumers.getOrDefault(xZero, List.of())) {
            if (!c.getOpType().equals("MatMulInteger") && !c.getOpType().equals("ConvInteger")) return null;
        }
        for (String o : dql.getOutputList()) if (graph.getOutputList().stream().anyMatch(v -> v.getName().equals(o))) return null;
        return out.isEmpty() ? null : out;
    }

    private NodeProto only(String value) {
        List<NodeProto> c = consumers.getOrDefault(value, List.of());
        return c.size() == 1 ? c.get(0) : null;
    }

    /**
     * Per row of axis 0 of {@code x}: DynamicQuantizeLinear's scale and zero point, and x quantised with them.
     * Returns {quantised x, zero point as int32 [B], scale [B], x}.
     */
    private String[] quantisePerRow(String x) {
        String flat = op("Reshape", x, longs(0, -1));
        String min = op("Min", reduce("ReduceMin", flat), scalar(0f));
        String max = op("Max", reduce("ReduceMax", flat), scalar(0f));
        String range = op("Div", op("Sub", max, min), scalar(255f));
        String scale = op("Where", new String[] {op("Equal", max, min), scalar(1f), range});
        String zeroF = op("Round", op("Clip", new String[] {op("Neg", op("Div", min, scale)), scalar(0f), scalar(255f)}));
        String zero = op("Cast", new String[] {zeroF}, intAttribute("to", UINT8));
        String q = op("QuantizeLinear", new String[] {x, scale, zero}, intAttribute("axis", 0));
        String zero32 = op("Cast", new String[] {zero}, intAttribute("to", INT32));
        return new String[] {q, zero32, scale, x};
    }

    /** One weight product on per-row quantised input, written to {@code output}. */
    private void product(Product p, String[] rows, String output) {
        if (p.matMul().getOpType().equals("ConvInteger")) {
            convolution(p, rows, output);
            return;
        }
        String a3 = op("Reshape", rows[0], longs(0, -1, p.rows()));
        // no weight zero point where the original had none (0), so that SignedWeights can give the weight its own
        String y = op("MatMulInteger", p.wzp().isEmpty() ? new String[] {a3, p.wq(), uint8Zero()}
                : new String[] {a3, p.wq(), uint8Zero(), p.wzp()});
        String corrected = op("Sub", y, op("Mul", op("Reshape", rows[1], longs(-1, 1, 1)), columnSums(p)));
        String scaled = op("Mul", op("Cast", new String[] {corrected}, intAttribute("to", FLOAT)),
                op("Mul", op("Reshape", rows[2], longs(-1, 1, 1)), p.wScale()));
        String lead = op("Slice", new String[] {op("Shape", rows[3]), longs(0), longs(-1), longs(0)});
        String shape = op("Concat", new String[] {lead, longs(p.cols())}, intAttribute("axis", 0));
        added.add(NodeProto.newBuilder().setOpType("Reshape").setName(fresh("n")).addInput(scaled).addInput(shape)
                .addOutput(output).build());
    }

    /**
     * A ConvInteger on per-row quantised input: run without an input zero point, minus {@code zp_row} times the sum
     * of {@code Wq - wzp} over each output position's kernel taps that fall on the input (a ConvInteger of ones of
     * one row's shape, so padding is accounted for), then rescaled per row. Exact in int32.
     */
    private void convolution(Product p, String[] rows, String output) {
        NodeProto original = p.matMul();
        int rank = initializers.get(p.wq()).getDimsCount();
        long[] perRow = new long[rank];
        java.util.Arrays.fill(perRow, 1);
        perRow[0] = -1;
        String wzp = p.wzp().isEmpty() ? uint8Zero() : p.wzp();
        AttributeProto[] attributes = original.getAttributeList().toArray(new AttributeProto[0]);
        String y = op("ConvInteger", new String[] {rows[0], p.wq(), uint8Zero(), wzp}, attributes);
        String rowShape = op("Concat", new String[] {longs(1), op("Slice", new String[] {op("Shape", rows[3]), longs(1),
                longs(rank), longs(0)})}, intAttribute("axis", 0));
        AttributeProto one = AttributeProto.newBuilder().setName("value").setType(AttributeProto.AttributeType.TENSOR)
                .setT(TensorProto.newBuilder().setDataType(UINT8).addDims(1).setRawData(ByteString.copyFrom(new byte[] {1})))
                .build();
        String ones = op("ConstantOfShape", new String[] {rowShape}, one);
        String taps = op("ConvInteger", new String[] {ones, p.wq(), uint8Zero(), wzp}, attributes);
        String corrected = op("Sub", y, op("Mul", op("Reshape", rows[1], longs(perRow)), taps));
        String scale = op("Mul", op("Reshape", rows[2], longs(perRow)), p.wScale());
        added.add(NodeProto.newBuilder().setOpType("Mul").setName(fresh("n")).addInput(
                op("Cast", new String[] {corrected}, intAttribute("to", FLOAT))).addInput(scale).addOutput(output).build());
    }

    /** {@code sum_k (Wq[k][n] - wzp[n])} as int32 [N]. */
    private String columnSums(Product p) {
        int rows = Math.toIntExact(p.rows());
        int cols = Math.toIntExact(p.cols());
        int[] w = uint8s(initializers.get(p.wq()));
        int[] zp = p.wzp().isEmpty() ? new int[] {0} : uint8s(initializers.get(p.wzp()));
        ByteBuffer b = ByteBuffer.allocate(cols * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int n = 0; n < cols; n++) {
            int z = zp.length == 1 ? zp[0] : zp[n];
            int sum = 0;
            for (int k = 0; k < rows; k++) sum += w[k * cols + n] - z;
            b.putInt(sum);
        }
        return constant(fresh("colsum"), INT32, b.array(), cols);
    }

    private static int[] uint8s(TensorProto t) {
        if (t.hasRawData() && !t.getRawData().isEmpty()) {
            byte[] raw = t.getRawData().toByteArray();
            int[] v = new int[raw.length];
            for (int i = 0; i < raw.length; i++) v[i] = raw[i] & 0xff;
            return v;
        }
        int[] v = new int[t.getInt32DataCount()];
        for (int i = 0; i < v.length; i++) v[i] = t.getInt32Data(i) & 0xff;
        return v;
    }

    private String reduce(String opType, String flat) {
        if (opset >= 18) {
            return op(opType, new String[] {flat, longs(1)}, intAttribute("keepdims", 0));
        }
        AttributeProto axes = AttributeProto.newBuilder().setName("axes").setType(AttributeProto.AttributeType.INTS).addInts(1).build();
        return op(opType, new String[] {flat}, axes, intAttribute("keepdims", 0));
    }

    private List<NodeProto> takeAdded() {
        List<NodeProto> n = new ArrayList<>(added);
        added.clear();
        return n;
    }

    private String op(String opType, String a, String b) {
        return op(opType, new String[] {a, b});
    }

    private String op(String opType, String a) {
        return op(opType, new String[] {a});
    }

    private String op(String opType, String[] inputs, AttributeProto... attributes) {
        String out = fresh(opType.toLowerCase(java.util.Locale.ROOT));
        NodeProto.Builder n = NodeProto.newBuilder().setOpType(opType).setName(fresh("n_" + opType)).addOutput(out);
        for (String i : inputs) n.addInput(i);
        for (AttributeProto a : attributes) n.addAttribute(a);
        added.add(n.build());
        return out;
    }

    private static AttributeProto intAttribute(String name, long value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(value).build();
    }

    private static long intAttr(NodeProto n, String name) {
        for (AttributeProto a : n.getAttributeList()) if (a.getName().equals(name)) return a.getI();
        return -1;
    }

    private String fresh(String prefix) {
        return P + prefix + "_" + (counter++);
    }

    private String scalar(float v) {
        String name = P + "f_" + Float.floatToIntBits(v);
        if (!constantNames.contains(name)) {
            constant(name, FLOAT, ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(v).array());
        }
        return name;
    }

    private String uint8Zero() {
        String name = P + "u8_zero";
        if (!constantNames.contains(name)) constant(name, UINT8, new byte[] {0});
        return name;
    }

    private String longs(long... values) {
        StringBuilder name = new StringBuilder(P + "i64");
        for (long v : values) name.append('_').append(v < 0 ? "m" + -v : String.valueOf(v));
        String n = name.toString();
        if (!constantNames.contains(n)) {
            ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
            for (long v : values) b.putLong(v);
            constant(n, INT64, b.array(), values.length);
        }
        return n;
    }

    private String constant(String name, int type, byte[] raw, long... dims) {
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(type).setRawData(ByteString.copyFrom(raw));
        for (long d : dims) t.addDims(d);
        constants.add(t.build());
        constantNames.add(name);
        return name;
    }
}
