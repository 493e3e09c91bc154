package org.streamasr.tools.testmodel;

import static org.streamasr.tools.testmodel.OnnxGraph.FLOAT;
import static org.streamasr.tools.testmodel.OnnxGraph.INT64;
import static org.streamasr.tools.testmodel.OnnxGraph.attr;
import static org.streamasr.tools.testmodel.OnnxGraph.attrInts;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The constructed streaming encoder: the real export's inputs, outputs and cache layout, with tone logic instead of a
 * conformer.
 *
 * <p>Per window {@code [B, 128, 9 + 8F]}: drop the 9 pre-encode frames; read the 16 token bands and the pilot band
 * from their mel bins; threshold each mel frame, average 8 frames into one output frame and threshold again (a band
 * is on or off per 80 ms). An onset is "on now, off in the previous output frame", the previous frame of the first
 * one coming from {@code cache_last_time} (layer 0, last column). The running count of onset frames, mod 2, is kept
 * in the same cache; its sign goes to the output so that the joiner emits each onset exactly once. Layer 0 of
 * {@code cache_last_channel} holds a marker per frame: when the markers do not add up to
 * {@code cache_last_channel_len}, or {@code length} is not the window width, an error channel makes the joiner emit
 * {@code <unk>} (ten per frame). The ML variant turns {@code prompt_index} into a language group (en-US or de-DE
 * forced; under auto the pilot band decides) and exposes the auto decision for the language-tag units.
 */
final class TestEncoderGraph {
    /** Encoder output channels (then zero-padded to d_model). */
    static final int CH_SIGMA = 2 * ToneVocabulary.BANDS;
    static final int CH_AUTO_EN = CH_SIGMA + 1;
    static final int CH_AUTO_DE = CH_SIGMA + 2;
    static final int CH_ERROR = CH_SIGMA + 3;
    static final int OUT_CHANNELS = CH_SIGMA + 4;

    private static final int PRE_ENCODE = 9;
    private static final int SUBSAMPLING = 8;
    private static final int CONV_CONTEXT = 8;
    private static final int MELS = 128;
    private static final int SIGNALS = ToneVocabulary.BANDS + 1;
    private static final int CH_COUNT = SIGNALS;
    private static final int CH_MARKER = SIGNALS + 1;
    private static final long END = Long.MAX_VALUE;

    private final TestModelSpec spec;
    private final OnnxGraph g;
    private final Random random;
    private final boolean ml;
    /** The float32 values of the float inputs (cast from float16 in an fp16 model). */
    private String audio;
    private String channelIn;
    private String timeIn;

    private TestEncoderGraph(TestModelSpec spec) {
        this.spec = spec;
        this.g = new OnnxGraph("encoder", spec.precision(), spec.precision() == TestModelPrecision.FP16);
        this.random = new Random(spec.seed());
        this.ml = spec.variant() == TestModelVariant.ML;
    }

    static OnnxGraph build(TestModelSpec spec, int chunkMs) {
        return new TestEncoderGraph(spec).graph(chunkMs);
    }

    private OnnxGraph graph(int chunkMs) {
        int d = spec.dModel();
        int layers = spec.layers();
        int c = spec.leftContext();
        Object cacheTime = ml ? "cache_channel_time" : c;
        Object timeWidth = ml ? "cache_time_width" : CONV_CONTEXT;
        audio = g.floatInput("audio_signal", "batch", MELS, "time");
        g.input("length", INT64, "batch");
        channelIn = g.floatInput("cache_last_channel", "batch", layers, cacheTime, d);
        timeIn = g.floatInput("cache_last_time", "batch", layers, d, timeWidth);
        g.input("cache_last_channel_len", INT64, "batch");
        if (ml) g.input("prompt_index", INT64, "batch");

        // band signals per output frame, [B, F, 17], each 0 or 1
        String mel = g.op("Transpose", slice(audio, 2, PRE_ENCODE, END), attrInts("perm", 0, 2, 1));
        String energy = g.op("MatMul", mel, g.floats("band_select", bandSelect(), MELS, SIGNALS));
        String perMel = clip01(g.op("Add", energy, g.scalar(1f)));
        // subsampling by 8 as a matrix product (the averaging matrix is fixed per export): unlike ReduceMean its
        // result per stream does not depend on the batch size, bit for bit
        int outFrames = TestModelSpec.chunkShift(chunkMs) / SUBSAMPLING;
        String mean = g.op("Transpose", g.op("MatMul", g.op("Transpose", perMel, attrInts("perm", 0, 2, 1)),
                g.floats("subsample", average(outFrames), (long) outFrames * SUBSAMPLING, outFrames)), attrInts("perm", 0, 2, 1));
        String bands = clip01(g.op("Mul", g.op("Sub", mean, g.scalar(0.5f)), g.scalar(4f)));

        // onsets against the previous frame; the first frame's previous one is in cache_last_time
        String time0 = gather(timeIn, 1, 0);
        String prevFromCache = g.op("Transpose", slice2(time0, 0, SIGNALS, LAST_COLUMN), attrInts("perm", 0, 2, 1));
        String prev = g.op("Concat", new String[] {prevFromCache, slice(bands, 1, 0, -1)}, attr("axis", 1L));
        String onset = clip01(g.op("Mul", g.op("Sub", g.op("Sub", bands, prev), g.scalar(0.5f)), g.scalar(4f)));
        String tokenOnsets = slice(onset, 2, 0, ToneVocabulary.BANDS);
        String flag = clip01(g.op("ReduceSum", tokenOnsets, g.ints(2), attr("keepdims", 1L)));
        String countIn = g.op("Transpose", slice2(time0, CH_COUNT, CH_COUNT + 1, LAST_COLUMN), attrInts("perm", 0, 2, 1));
        String count = g.op("Add", g.op("CumSum", flag, g.longs(g.fresh("axis"), new long[] {1})), countIn);
        String countMod = g.op("Mod", count, g.scalar(2f), attr("fmod", 1L));
        String sigma = g.op("Sub", g.scalar(1f), g.op("Mul", countMod, g.scalar(2f)));
        String zeros = g.op("Mul", countMod, g.scalar(0f));
        String ones = g.op("Add", zeros, g.scalar(1f));

        // frame features that go into the caches: bands, count mod 2, marker
        String small = g.op("Concat", new String[] {bands, countMod, ones}, attr("axis", 2L));
        String features = g.op("MatMul", small, g.floats("feature_place", place(SIGNALS + 2, d), SIGNALS + 2, d));

        // cache consistency and window width checks
        String markers = g.op("ReduceSum", slice(gather(channelIn, 1, 0), 2, CH_MARKER, CH_MARKER + 1),
                g.ints(1, 2), attr("keepdims", 0L));
        String validLen = g.op("Cast", g.op("Min", "cache_last_channel_len", g.ints(c)), attr("to", (long) FLOAT));
        String width = g.op("Cast", g.op("Gather", g.op("Shape", audio), g.longs(g.fresh("two"), new long[] {2})),
                attr("to", (long) FLOAT));
        String lengthF = g.op("Cast", "length", attr("to", (long) FLOAT));
        String err = clip01(g.op("Add", g.op("Abs", g.op("Sub", markers, validLen)), g.op("Abs", g.op("Sub", lengthF, width))));
        String errFrames = g.op("Add", zeros, g.op("Unsqueeze", err, g.ints(1, 2)));

        // language groups
        String[] groups = languageGroups(tokenOnsets, bands, zeros);
        String out = g.op("Concat", new String[] {groups[0], groups[1], sigma, groups[2], groups[3], errFrames},
                attr("axis", 2L));
        // a weight product, so the int8 model quantises the path to its outputs as the real exports do
        String projected = g.weightMatMul(out, "output_place", place(OUT_CHANNELS, d), OUT_CHANNELS, d);
        g.floatOutput(g.op("Transpose", projected, attrInts("perm", 0, 2, 1)), "outputs", "batch", d, "time_out");

        String frames = g.op("Div", g.op("Sub", "length", g.ints(PRE_ENCODE)), g.ints(SUBSAMPLING));
        g.output("encoded_lengths", INT64, "batch");
        g.alias(frames, "encoded_lengths");
        caches(features, c, cacheTime, timeWidth);
        g.output("cache_last_channel_next_len", INT64, "batch");
        g.alias(g.op("Min", g.op("Add", "cache_last_channel_len", frames), g.ints(c)), "cache_last_channel_next_len");
        metadata(chunkMs);
        return g;
    }

    /** {x_en [B,F,16], x_de [B,F,16], auto_en [B,F,1], auto_de [B,F,1]}. */
    private String[] languageGroups(String tokenOnsets, String bands, String zeros) {
        if (!ml) {
            String none = g.op("Mul", tokenOnsets, g.scalar(0f));
            return new String[] {tokenOnsets, none, zeros, zeros};
        }
        float[] table = new float[TestModelSpec.NUM_PROMPTS * 3];
        for (int id = 0; id < TestModelSpec.NUM_PROMPTS; id++) {
            Integer de = spec.promptIds().get("de-DE");
            int col = id == TestModelSpec.AUTO_PROMPT_ID ? 2 : (de != null && id == de ? 1 : 0);
            table[id * 3 + col] = 1f;
        }
        String prompt = g.op("Unsqueeze", g.op("Gather", g.floats("prompt_table", table, TestModelSpec.NUM_PROMPTS, 3),
                "prompt_index", attr("axis", 0L)), g.ints(1));
        String forcedEn = slice(prompt, 2, 0, 1);
        String forcedDe = slice(prompt, 2, 1, 2);
        String auto = slice(prompt, 2, 2, 3);
        String pilot = slice(bands, 2, ToneVocabulary.PILOT_BAND, ToneVocabulary.PILOT_BAND + 1);
        String autoEn = g.op("Relu", g.op("Sub", auto, pilot));
        String autoDe = g.op("Relu", g.op("Sub", g.op("Add", auto, pilot), g.scalar(1f)));
        String xEn = g.op("Relu", g.op("Sub", g.op("Add", tokenOnsets, g.op("Add", forcedEn, autoEn)), g.scalar(1f)));
        String xDe = g.op("Relu", g.op("Sub", g.op("Add", tokenOnsets, g.op("Add", forcedDe, autoDe)), g.scalar(1f)));
        return new String[] {xEn, xDe, autoEn, autoDe};
    }

    /** Layer 0 caches the frame features; layers 1.. run a block on the previous layer's output. */
    private void caches(String features, int c, Object cacheTime, Object timeWidth) {
        List<String> channelNext = new ArrayList<>();
        List<String> timeNext = new ArrayList<>();
        String x = features;
        for (int layer = 0; layer < spec.layers(); layer++) {
            String channelCache = gather(channelIn, 1, layer);
            String timeCache = gather(timeIn, 1, layer);
            String context = g.op("Concat", new String[] {channelCache, x}, attr("axis", 1L));
            channelNext.add(g.op("Unsqueeze", slice(context, 1, -c, END), g.ints(1)));
            if (layer == 0) {
                String timeContext = g.op("Concat", new String[] {timeCache, g.op("Transpose", x, attrInts("perm", 0, 2, 1))},
                        attr("axis", 2L));
                timeNext.add(g.op("Unsqueeze", slice(timeContext, 2, -CONV_CONTEXT, END), g.ints(1)));
            } else {
                String[] block = block(layer, x, context, timeCache);
                x = block[0];
                timeNext.add(g.op("Unsqueeze", slice(block[1], 2, -CONV_CONTEXT, END), g.ints(1)));
            }
        }
        int layers = spec.layers();
        g.floatOutput(concat(channelNext), "cache_last_channel_next", "batch", layers, cacheTime, spec.dModel());
        g.floatOutput(concat(timeNext), "cache_last_time_next", "batch", layers, spec.dModel(), timeWidth);
    }

    /**
     * A conformer-like block, as heavy per frame as the real one (about 20 d² multiply-adds): half-step feed-forward,
     * attention over the cached context, depthwise causal convolution, half-step feed-forward. Returns
     * {output, conv context}.
     */
    private String[] block(int layer, String input, String context, String timeCache) {
        int d = spec.dModel();
        String p = "layers." + layer + ".";
        String x = norm(p + "norm0", g.op("Add", input, g.op("Mul", feedForward(p + "ff0", input), g.scalar(0.5f))));
        String q = weightMatMul(x, p + "q", d, d);
        String k = weightMatMul(context, p + "k", d, d);
        String v = weightMatMul(context, p + "v", d, d);
        String scores = g.op("Mul", g.op("MatMul", q, g.op("Transpose", k, attrInts("perm", 0, 2, 1))),
                g.scalar((float) (1 / Math.sqrt(d))));
        String attended = g.op("MatMul", g.op("Softmax", scores, attr("axis", -1L)), v);
        String y1 = norm(p + "norm1", g.op("Add", x, weightMatMul(attended, p + "o", d, d)));
        String convContext = g.op("Concat", new String[] {timeCache, g.op("Transpose", y1, attrInts("perm", 0, 2, 1))},
                attr("axis", 2L));
        String conv = g.op("Conv", convContext, weights(p + "conv", d, 1, CONV_CONTEXT + 1), attr("group", (long) d));
        String y2 = g.op("Add", y1, g.op("Transpose", conv, attrInts("perm", 0, 2, 1)));
        String ff = g.op("Mul", feedForward(p + "ff1", y2), g.scalar(0.5f));
        return new String[] {norm(p + "norm2", g.op("Add", y2, ff)), convContext};
    }

    private String feedForward(String name, String x) {
        int d = spec.dModel();
        return weightMatMul(g.op("Relu", weightMatMul(x, name + ".up", d, 4 * d)), name + ".down", 4 * d, d);
    }

    private String norm(String name, String x) {
        int d = spec.dModel();
        float[] scale = new float[d];
        java.util.Arrays.fill(scale, 1f);
        return g.op("LayerNormalization", new String[] {x, g.floats(name + ".weight", scale, d),
                g.floats(name + ".bias", new float[d], d)}, attr("axis", -1L), attr("epsilon", 1e-5f));
    }

    private String weights(String name, int... dims) {
        long[] shape = new long[dims.length];
        for (int i = 0; i < dims.length; i++) shape[i] = dims[i];
        return g.floats(name, randomWeights(dims), shape);
    }

    /** {@code x W} with random {@code W [rows, cols]}, quantised dynamically in the int8 model. */
    private String weightMatMul(String x, String name, int rows, int cols) {
        return g.weightMatMul(x, name, randomWeights(rows, cols), rows, cols);
    }

    private float[] randomWeights(int... dims) {
        int fanIn = dims.length == 2 ? dims[0] : dims[dims.length - 1];
        int n = 1;
        for (int x : dims) n *= x;
        float[] w = new float[n];
        float scale = (float) (1 / Math.sqrt(fanIn));
        for (int i = 0; i < n; i++) w[i] = (float) random.nextGaussian() * scale;
        return w;
    }

    private void metadata(int chunkMs) {
        int shift = TestModelSpec.chunkShift(chunkMs);
        g.metadata("vocab_size", spec.vocabSize())
                .metadata("window_size", shift + PRE_ENCODE)
                .metadata("chunk_size_ms", chunkMs)
                .metadata("chunk_shift", shift)
                .metadata("normalize_type", "")
                .metadata("cache_last_channel_dim1", spec.layers())
                .metadata("cache_last_channel_dim2", spec.leftContext())
                .metadata("cache_last_channel_dim3", spec.dModel())
                .metadata("cache_last_time_dim1", spec.layers())
                .metadata("cache_last_time_dim2", spec.dModel())
                .metadata("cache_last_time_dim3", CONV_CONTEXT)
                .metadata("pred_rnn_layers", 2)
                .metadata("pred_hidden", spec.predHidden())
                .metadata("subsampling_factor", SUBSAMPLING)
                .metadata("feat_dim", MELS)
                .metadata("model_type", spec.variant().modelType())
                .metadata("version", "1")
                .metadata("model_author", "streamasr")
                .metadata("url", "constructed by bin/asr make-test-model")
                .metadata("comment", "Tone-driven test model with the I/O contract of the NeMo export; not a speech model");
        if (ml) {
            g.metadata("prompt_dictionary", promptDictionaryJson(spec.promptIds()))
                    .metadata("auto_prompt_id", TestModelSpec.AUTO_PROMPT_ID);
        }
    }

    /** As the export writes it: {@code json.dumps(prompt_dictionary, sort_keys=True)}. */
    static String promptDictionaryJson(java.util.Map<String, Integer> ids) {
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(new java.util.TreeMap<>(ids));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static float[] bandSelect() {
        float[] w = new float[MELS * SIGNALS];
        for (int band = 0; band < SIGNALS; band++) w[ToneVocabulary.melBin(band) * SIGNALS + band] = 1f;
        return w;
    }

    private static float[] average(int frames) {
        float[] w = new float[frames * SUBSAMPLING * frames];
        for (int f = 0; f < frames; f++) {
            for (int k = 0; k < SUBSAMPLING; k++) w[(f * SUBSAMPLING + k) * frames + f] = 1f / SUBSAMPLING;
        }
        return w;
    }

    private static float[] place(int rows, int cols) {
        float[] w = new float[rows * cols];
        for (int r = 0; r < rows; r++) w[r * cols + r] = 1f;
        return w;
    }

    private static final int LAST_COLUMN = -1;

    private String clip01(String x) {
        return g.op("Clip", new String[] {x, g.scalar(0f), g.scalar(1f)});
    }

    private String gather(String x, int axis, int index) {
        return g.op("Gather", x, g.longs(g.fresh("index"), new long[] {index}), attr("axis", (long) axis));
    }

    private String slice(String x, int axis, long start, long end) {
        return g.op("Slice", new String[] {x, g.ints(start), g.ints(end), g.ints(axis)});
    }

    /** Channels [from, to) of the last column of a [B, D, K] tensor → [B, to - from, 1]. */
    private String slice2(String x, long from, long to, int lastColumn) {
        return g.op("Slice", new String[] {x, g.ints(from, lastColumn), g.ints(to, END), g.ints(1, 2)});
    }

    private String concat(List<String> parts) {
        return parts.size() == 1 ? parts.get(0) : g.op("Concat", parts.toArray(new String[0]), attr("axis", 1L));
    }
}
