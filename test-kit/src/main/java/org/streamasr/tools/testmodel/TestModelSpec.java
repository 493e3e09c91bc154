package org.streamasr.tools.testmodel;

import java.util.List;
import java.util.Map;

/**
 * The shape of a constructed model. Names, dtypes and metadata keys are always those of the real export; the
 * dimensions are free. Layer 0 of the encoder does the tone logic; layers 1.. are attention + convolution + feed-forward
 * blocks with random weights whose results only feed the caches (they make the caches hold real floating-point work,
 * so batching, stacking and cache hand-over are checked bit for bit, and give the benchmark model its weight).
 *
 * @param chunkMillis   one encoder per chunk size (multiples of 80 ms)
 * @param dModel        encoder width (real: 1024)
 * @param layers        encoder layers, i.e. cache_last_*_dim1 (real: 24)
 * @param leftContext   cache_last_channel_dim2 (real: 70 EN, 56 ML)
 * @param predHidden    decoder LSTM width (real: 640)
 * @param jointHidden   joiner hidden width (real: 640)
 * @param vocabSize     pieces without the blank (real: 1024 EN, 13087 ML); filler pieces pad the tone pieces
 * @param promptIds     ML only: the prompt dictionary written to the metadata
 * @param precision     fp32 (encoder weights in encoder.data), int8 (dynamically quantised) or fp16 files
 */
public record TestModelSpec(TestModelVariant variant, List<Integer> chunkMillis, int dModel, int layers, int leftContext,
                            int predHidden, int jointHidden, int vocabSize, Map<String, Integer> promptIds, long seed,
                            TestModelPrecision precision) {

    /** The 40 card locales, auto and a few bare-code aliases, with the real model's prompt ids (contract 3). */
    public static final Map<String, Integer> REAL_PROMPT_IDS = Map.ofEntries(
            Map.entry("en-US", 0), Map.entry("en-GB", 1), Map.entry("es-ES", 2), Map.entry("es-US", 3),
            Map.entry("zh-CN", 4), Map.entry("zh-TW", 5), Map.entry("hi-IN", 6), Map.entry("ar-AR", 7),
            Map.entry("fr-FR", 8), Map.entry("de-DE", 9), Map.entry("ja-JP", 10), Map.entry("ru-RU", 11),
            Map.entry("pt-BR", 12), Map.entry("pt-PT", 13), Map.entry("ko-KR", 14), Map.entry("it-IT", 15),
            Map.entry("nl-NL", 16), Map.entry("pl-PL", 17), Map.entry("tr-TR", 18), Map.entry("uk-UA", 19),
            Map.entry("ro-RO", 20), Map.entry("el-GR", 21), Map.entry("cs-CZ", 22), Map.entry("hu-HU", 23),
            Map.entry("sv-SE", 24), Map.entry("da-DK", 25), Map.entry("fi-FI", 26), Map.entry("no", 27),
            Map.entry("sk-SK", 28), Map.entry("hr-HR", 29), Map.entry("bg-BG", 30), Map.entry("lt-LT", 31),
            Map.entry("th-TH", 32), Map.entry("vi-VN", 33), Map.entry("et-EE", 60), Map.entry("lv-LV", 61),
            Map.entry("sl-SI", 62), Map.entry("he-IL", 64), Map.entry("fr-CA", 100), Map.entry("auto", 101),
            Map.entry("mt-MT", 102), Map.entry("nb-NO", 103), Map.entry("nn-NO", 104), Map.entry("en", 0),
            Map.entry("de", 9), Map.entry("es", 3), Map.entry("fr", 8), Map.entry("pt", 13));

    public static final int NUM_PROMPTS = 128;
    public static final int AUTO_PROMPT_ID = 101;

    /** An fp32 model. */
    public TestModelSpec(TestModelVariant variant, List<Integer> chunkMillis, int dModel, int layers, int leftContext,
                         int predHidden, int jointHidden, int vocabSize, Map<String, Integer> promptIds, long seed) {
        this(variant, chunkMillis, dModel, layers, leftContext, predHidden, jointHidden, vocabSize, promptIds, seed,
                TestModelPrecision.FP32);
    }

    public TestModelSpec {
        java.util.Objects.requireNonNull(precision, "precision");
        chunkMillis = List.copyOf(chunkMillis);
        promptIds = Map.copyOf(promptIds);
        for (int ms : chunkMillis) {
            if (ms <= 0 || ms % 80 != 0) throw new IllegalArgumentException("chunk size " + ms + " ms is not a multiple of 80 ms");
        }
        int logic = 2 * ToneVocabulary.BANDS + 4;
        if (dModel < logic) throw new IllegalArgumentException("d-model must be at least " + logic);
        if (predHidden < 3) throw new IllegalArgumentException("pred-hidden must be at least 3");
        if (jointHidden < 6 * ToneVocabulary.BANDS + 3) {
            throw new IllegalArgumentException("joint-hidden must be at least " + (6 * ToneVocabulary.BANDS + 3));
        }
        if (layers < 1) throw new IllegalArgumentException("layers must be at least 1");
    }

    /** Small and fast: what the tests use. */
    public static TestModelSpec tiny(TestModelVariant variant) {
        return new TestModelSpec(variant, variant.chunkMillis(), 64, 3, variant.leftContext(), 16, 128,
                ToneVocabulary.pieces(variant).size(), REAL_PROMPT_IDS, 1);
    }

    /** Heavy enough to time: real vocabulary, decoder and joiner widths; encoder width and depth as given. */
    public static TestModelSpec benchmark(TestModelVariant variant, List<Integer> chunkMillis, int dModel, int layers) {
        return new TestModelSpec(variant, chunkMillis, dModel, layers, variant.leftContext(), 640, 640,
                variant == TestModelVariant.EN ? 1024 : 13087, REAL_PROMPT_IDS, 1);
    }

    public TestModelSpec withChunkMillis(List<Integer> ms) {
        return new TestModelSpec(variant, ms, dModel, layers, leftContext, predHidden, jointHidden, vocabSize, promptIds, seed, precision);
    }

    public TestModelSpec withPromptIds(Map<String, Integer> ids) {
        return new TestModelSpec(variant, chunkMillis, dModel, layers, leftContext, predHidden, jointHidden, vocabSize, ids, seed, precision);
    }

    /** The same model written in another precision. */
    public TestModelSpec withPrecision(TestModelPrecision p) {
        return new TestModelSpec(variant, chunkMillis, dModel, layers, leftContext, predHidden, jointHidden, vocabSize, promptIds, seed, p);
    }

    /** Mel frames per window: 8 per output frame plus the 9 pre-encode frames. */
    public static int windowSize(int chunkMs) {
        return chunkShift(chunkMs) + 9;
    }

    public static int chunkShift(int chunkMs) {
        return chunkMs / 10;
    }
}
