package org.streamasr.tools.testmodel;

import static org.streamasr.tools.testmodel.OnnxGraph.FLOAT;
import static org.streamasr.tools.testmodel.OnnxGraph.INT32;
import static org.streamasr.tools.testmodel.OnnxGraph.attr;
import static org.streamasr.tools.testmodel.OnnxGraph.attrInts;

import java.util.List;
import java.util.Random;

/**
 * The constructed RNN-T decoder (embedding + 2-layer LSTM, NeMo's export names with auto-generated state names) and
 * joiner (Linear + Linear → ReLU → Linear).
 *
 * <p>Decoder. The embedding marks tone pieces ("presence") and terminal punctuation; the blank, {@code <unk>} and
 * language tags embed to zero. LSTM layer 1 copies both marks. Layer 2 holds three units: a toggle that flips sign
 * on every tone piece (so its sign is the parity of pieces emitted since the state was reset, and it is exactly zero
 * before the first), a latch that is set by the first piece, and a copy of "the last piece was terminal". The state
 * therefore matters: a decoder state dropped, re-primed or mixed between streams changes what the joiner emits.
 *
 * <p>Joiner. Hidden units fire (value 0.5) when an encoder onset of band k in group g meets a decoder whose parity
 * says this onset has not been emitted yet; the unit for parity q writes piece {@code group.piece(k, q)}. Tag units
 * fire after terminal punctuation under auto; an error unit fires on the encoder's error channel.
 */
final class TestPredictionGraphs {
    private static final int UNIT_TOGGLE = 0;
    private static final int UNIT_STARTED = 1;
    private static final int UNIT_TERMINAL = 2;
    /** h of a saturated unit: o * tanh(c) with o ≈ 1, c ≈ ±1. */
    private static final float H_ON = (float) Math.tanh(1.0);
    private static final float SAT = 16f;
    private static final float EMIT_WEIGHT = 20f;
    private static final float TOKEN_BIAS = -5f;
    private static final float FILLER_BIAS = -30f;

    private TestPredictionGraphs() {
    }

    static OnnxGraph decoder(TestModelSpec spec, List<String> tokens) {
        int h = spec.predHidden();
        int v = tokens.size();
        // fp16: float16 weights behind float32 inputs and outputs (keep_io_types); int8: nothing to quantise
        OnnxGraph g = new OnnxGraph("decoder", spec.precision(), false);
        g.input("targets", INT32, "batch", "targets_dynamic_axes_1");
        g.input("target_length", INT32, "batch");
        g.input("states.1", FLOAT, 2, "batch", h);
        g.input("onnx::LSTM_3", FLOAT, 2, "batch", h);
        g.output("outputs", FLOAT, "batch", h, "outputs_dynamic_axes_2");
        g.output("prednet_lengths", INT32, "batch");
        g.output("states", FLOAT, 2, "batch", h);
        g.output("162", FLOAT, 2, "batch", h);

        float[] embedding = new float[v * h];
        for (int id = 0; id < v; id++) {
            String piece = tokens.get(id);
            if (isTonePiece(piece)) embedding[id * h] = 1f;
            if (ToneVocabulary.isTerminal(piece)) embedding[id * h + 1] = 1f;
        }
        String emb = g.op("Gather", g.floats("prediction.embed.weight", embedding, v, h), "targets", attr("axis", 0L));
        String x = g.op("Transpose", emb, attrInts("perm", 1, 0, 2));
        String[] l1 = lstm(g, "layer0", x, layerSlice(g, "states.1", 0), layerSlice(g, "onnx::LSTM_3", 0), h, copyLayer(h));
        String x2 = g.op("Squeeze", l1[0], g.ints(1));
        String[] l2 = lstm(g, "layer1", x2, layerSlice(g, "states.1", 1), layerSlice(g, "onnx::LSTM_3", 1), h, logicLayer(h));
        g.alias(g.op("Transpose", g.op("Squeeze", l2[0], g.ints(1)), attrInts("perm", 1, 2, 0)), "outputs");
        g.alias("target_length", "prednet_lengths");
        g.alias(g.op("Concat", new String[] {l1[1], l2[1]}, attr("axis", 0L)), "states");
        g.alias(g.op("Concat", new String[] {l1[2], l2[2]}, attr("axis", 0L)), "162");
        return g;
    }

    static OnnxGraph joiner(TestModelSpec spec, List<String> tokens) {
        int d = spec.dModel();
        int hd = spec.predHidden();
        int hj = spec.jointHidden();
        int v = tokens.size();
        int blank = v - 1;
        OnnxGraph g = new OnnxGraph("joiner", spec.precision(), spec.precision() == TestModelPrecision.FP16);
        String encoderOutputs = g.floatInput("encoder_outputs", "batch", d, "encoder_outputs_dynamic_axes_2");
        String decoderOutputs = g.floatInput("decoder_outputs", "batch", hd, "decoder_outputs_dynamic_axes_2");

        float[] we = new float[d * hj];
        float[] be = new float[hj];
        float[] wd = new float[hd * hj];
        float[] wo = new float[hj * v];
        float[] bo = new float[v];
        Random random = new Random(spec.seed() + 7);
        for (int t = 0; t < v; t++) {
            bo[t] = t == blank ? 0f : tokens.get(t).startsWith("▁filler") ? FILLER_BIAS : TOKEN_BIAS;
        }
        // units past the logic ones carry small random output weights: real work for the benchmark, no effect here
        int unit = 0;
        for (ToneVocabulary.Group group : ToneVocabulary.Group.values()) {
            if (!tokens.containsAll(group.pieces())) continue;
            int base = group == ToneVocabulary.Group.ENGLISH ? 0 : ToneVocabulary.BANDS;
            for (int band = 0; band < ToneVocabulary.BANDS; band++) {
                int x = base + band;
                // toggle > 0 and an even onset count: the odd-numbered piece (parity 1) is due
                onsetUnit(we, be, wd, hj, unit++, x, 1f, UNIT_TOGGLE, 1f / H_ON, -2.5f);
                wo[(unit - 1) * v + tokens.indexOf(group.piece(band, 1))] = EMIT_WEIGHT;
                // toggle < 0 and an odd onset count: an even-numbered piece (parity 0) is due
                onsetUnit(we, be, wd, hj, unit++, x, -1f, UNIT_TOGGLE, -1f / H_ON, -2.5f);
                wo[(unit - 1) * v + tokens.indexOf(group.piece(band, 0))] = EMIT_WEIGHT;
                // nothing emitted yet and the first onset: piece 0
                onsetUnit(we, be, wd, hj, unit++, x, -1f, UNIT_STARTED, -2f / H_ON, -1.5f);
                wo[(unit - 1) * v + tokens.indexOf(group.piece(band, 0))] = EMIT_WEIGHT;
            }
        }
        if (tokens.contains(ToneVocabulary.TAG_EN)) {
            tagUnit(we, be, wd, hj, unit++, TestEncoderGraph.CH_AUTO_EN);
            wo[(unit - 1) * v + tokens.indexOf(ToneVocabulary.TAG_EN)] = EMIT_WEIGHT;
            tagUnit(we, be, wd, hj, unit++, TestEncoderGraph.CH_AUTO_DE);
            wo[(unit - 1) * v + tokens.indexOf(ToneVocabulary.TAG_DE)] = EMIT_WEIGHT;
        }
        we[TestEncoderGraph.CH_ERROR * hj + unit] = 1f;
        be[unit] = -0.5f;
        wo[unit * v + tokens.indexOf(ToneVocabulary.UNK)] = EMIT_WEIGHT;
        unit++;
        for (int u = unit; u < hj; u++) {
            for (int t = 0; t < v; t++) wo[u * v + t] = (float) random.nextGaussian() * 0.01f;
        }

        String enc = g.weightMatMul(g.op("Transpose", encoderOutputs, attrInts("perm", 0, 2, 1)), "enc.weight", we, d, hj);
        enc = g.op("Unsqueeze", g.op("Add", enc, g.floats("enc.bias", be, hj)), g.ints(2));
        String dec = g.weightMatMul(g.op("Transpose", decoderOutputs, attrInts("perm", 0, 2, 1)), "pred.weight", wd, hd, hj);
        dec = g.op("Unsqueeze", g.op("Add", dec, g.floats("pred.bias", new float[hj], hj)), g.ints(1));
        String hidden = g.op("Relu", g.op("Add", enc, dec));
        String logits = g.op("Add", g.weightMatMul(hidden, "joint_net.2.weight", wo, hj, v), g.floats("joint_net.2.bias", bo, v));
        g.floatOutput(logits, "outputs", "batch", "outputs_dynamic_axes_1", "outputs_dynamic_axes_2", v);
        return g;
    }

    private static void onsetUnit(float[] we, float[] be, float[] wd, int hj, int unit, int onsetChannel,
                                  float sigmaWeight, int decoderUnit, float decoderWeight, float bias) {
        we[onsetChannel * hj + unit] = 1f;
        we[TestEncoderGraph.CH_SIGMA * hj + unit] = sigmaWeight;
        wd[decoderUnit * hj + unit] = decoderWeight;
        be[unit] = bias;
    }

    private static void tagUnit(float[] we, float[] be, float[] wd, int hj, int unit, int autoChannel) {
        we[autoChannel * hj + unit] = 1f;
        wd[UNIT_TERMINAL * hj + unit] = 1f / H_ON;
        be[unit] = -1.5f;
    }

    private static boolean isTonePiece(String piece) {
        for (ToneVocabulary.Group group : ToneVocabulary.Group.values()) if (group.pieces().contains(piece)) return true;
        return false;
    }

    private static String layerSlice(OnnxGraph g, String state, int layer) {
        return g.op("Slice", new String[] {state, g.ints(layer), g.ints(layer + 1), g.ints(0)});
    }

    /** {Y, Y_h, Y_c} of a one-layer LSTM. */
    private static String[] lstm(OnnxGraph g, String name, String x, String h0, String c0, int h, float[][] wrb) {
        String y = g.fresh(name + "_y");
        String yh = g.fresh(name + "_yh");
        String yc = g.fresh(name + "_yc");
        g.node("LSTM", new String[] {x, g.floats(name + ".W", wrb[0], 1, 4L * h, h), g.floats(name + ".R", wrb[1], 1, 4L * h, h),
                g.floats(name + ".B", wrb[2], 1, 8L * h), "", h0, c0}, new String[] {y, yh, yc}, attr("hidden_size", (long) h));
        return new String[] {y, yh, yc};
    }

    // ONNX LSTM gate blocks: i, o, f, c
    private static int gate(int block, int h, int unit) {
        return block * h + unit;
    }

    /** Layer 1: units 0 and 1 copy embedding dims 0 (presence) and 1 (terminal); the rest stay at zero. */
    private static float[][] copyLayer(int h) {
        float[] w = new float[4 * h * h];
        float[] r = new float[4 * h * h];
        float[] b = new float[8 * h];
        for (int u = 0; u < 2; u++) {
            b[gate(0, h, u)] = SAT;
            b[gate(1, h, u)] = SAT;
            b[gate(2, h, u)] = -SAT;
            w[gate(3, h, u) * h + u] = SAT;
        }
        return new float[][] {w, r, b};
    }

    /** Layer 2: toggle, latch and terminal copy (see the class comment). */
    private static float[][] logicLayer(int h) {
        float[] w = new float[4 * h * h];
        float[] r = new float[4 * h * h];
        float[] b = new float[8 * h];
        float presence = 2 * SAT / H_ON;
        for (int u : new int[] {UNIT_TOGGLE, UNIT_STARTED}) {
            w[gate(0, h, u) * h] = presence;    // input gate opens on a tone piece
            b[gate(0, h, u)] = -SAT;
            w[gate(2, h, u) * h] = -presence;   // forget gate closes on a tone piece
            b[gate(2, h, u)] = SAT;
            b[gate(1, h, u)] = SAT;
        }
        r[gate(3, h, UNIT_TOGGLE) * h + UNIT_TOGGLE] = -8f;
        b[gate(3, h, UNIT_TOGGLE)] = 2f;
        b[gate(3, h, UNIT_STARTED)] = SAT;
        b[gate(0, h, UNIT_TERMINAL)] = SAT;
        b[gate(1, h, UNIT_TERMINAL)] = SAT;
        b[gate(2, h, UNIT_TERMINAL)] = -SAT;
        w[gate(3, h, UNIT_TERMINAL) * h + 1] = SAT / H_ON;
        return new float[][] {w, r, b};
    }
}
