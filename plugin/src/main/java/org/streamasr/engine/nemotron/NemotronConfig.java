package org.streamasr.engine.nemotron;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.streamasr.engine.EngineConfig;

/**
 * The nemotron engine's own settings ({@code asr.engine.nemotron.*}, in {@link EngineConfig#extra()} without the
 * {@code asr.engine.} prefix), parsed and checked at start-up; a bad value is named by its key. Defaults are those of
 * reference.conf.
 *
 * @param precision        "auto", "int8", "fp32" or "fp16": which files to use where an export directory holds several
 * @param vadSkip          do not run the model for idle streams whose chunk the VAD calls silent
 * @param vadSkipThreshold highest speech probability that still counts as silence for {@code vadSkip}
 * @param tailFrames       mel frames of silence fed after the end of the audio
 * @param maxSymbols       RNN-T symbols per encoder frame at most
 * @param int8Batching     how streams of a dynamically quantised export share model runs
 * @param int8Weights      whether a dynamically quantised export's uint8 weights are stored as int8 at load
 */
record NemotronConfig(String precision, boolean vadSkip, float vadSkipThreshold, int tailFrames, int maxSymbols,
                        Int8Batching int8Batching, Int8Weights int8Weights) {

    /**
     * The uint8 weights of a dynamically quantised export ({@code asr.engine.nemotron.int8-weights}), see
     * {@link SignedWeights}: the same products either way, faster as int8 on CPUs with VNNI.
     */
    enum Int8Weights {
        /** int8 on the CPU provider where {@link SignedInt8Probe} finds this machine's products exact; else as written. */
        AUTO,
        /** Always int8 (on a CPU without VNNI, ONNX Runtime's products can then saturate). */
        SIGNED,
        /** As the file has them. */
        AS_EXPORTED
    }

    /** How streams of an export that quantises activations dynamically (the sherpa-onnx int8 files) are batched. */
    enum Int8Batching {
        /**
         * One stream per model run: {@code DynamicQuantizeLinear} takes one scale over the whole input tensor, i.e.
         * over every stream of a batch, so only a batch of one gives each stream exactly its result alone.
         */
        EXACT,
        /** Batched like any model, for throughput; a stream's results then depend slightly on its batch-mates. */
        SHARED;

        String value() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    static final List<String> PRECISIONS = List.of("auto", "int8", "fp32", "fp16");

    static NemotronConfig from(EngineConfig options) {
        Map<String, String> extra = options.extra();
        String precision = extra.getOrDefault("nemotron.precision", "auto").trim().toLowerCase(Locale.ROOT);
        if (!PRECISIONS.contains(precision)) {
            throw new IllegalArgumentException("asr.engine.nemotron.precision: '" + precision
                    + "' is not auto, int8, fp32 or fp16");
        }
        String vadSkip = extra.getOrDefault("nemotron.vad-skip", "true").trim().toLowerCase(Locale.ROOT);
        if (!vadSkip.equals("true") && !vadSkip.equals("false")) {
            throw new IllegalArgumentException("asr.engine.nemotron.vad-skip: '" + vadSkip + "' is not true or false");
        }
        float threshold = setting(extra, "nemotron.vad-skip-threshold", 0.3f, "a number", Float::parseFloat);
        int tailFrames = (int) (setting(extra, "nemotron.tail-padding", 400L, "a duration such as 400ms",
                NemotronConfig::millis) / 10);
        int maxSymbols = setting(extra, "nemotron.max-symbols-per-frame", 10, "a whole number", Integer::parseInt);
        if (maxSymbols < 1) throw new IllegalArgumentException("asr.engine.nemotron.max-symbols-per-frame must be at least 1");
        String batching = extra.getOrDefault("nemotron.int8-batching", "exact").trim().toLowerCase(Locale.ROOT);
        Int8Batching int8 = switch (batching) {
            case "exact" -> Int8Batching.EXACT;
            case "shared" -> Int8Batching.SHARED;
            default -> throw new IllegalArgumentException("asr.engine.nemotron.int8-batching: '" + batching
                    + "' is not exact or shared");
        };
        String weights = extra.getOrDefault("nemotron.int8-weights", "auto").trim().toLowerCase(Locale.ROOT);
        Int8Weights int8Weights = switch (weights) {
            case "auto" -> Int8Weights.AUTO;
            case "signed" -> Int8Weights.SIGNED;
            case "as-exported" -> Int8Weights.AS_EXPORTED;
            default -> throw new IllegalArgumentException("asr.engine.nemotron.int8-weights: '" + weights
                    + "' is not auto, signed or as-exported");
        };
        return new NemotronConfig(precision, Boolean.parseBoolean(vadSkip), threshold, tailFrames, maxSymbols, int8,
                int8Weights);
    }

    /** An engine-specific setting of {@code extra}, parsed, or {@code byDefault} when unset; a bad value names its key. */
    private static <T> T setting(Map<String, String> extra, String key, T byDefault, String expected, Function<String, T> parse) {
        String v = extra.get(key);
        if (v == null) return byDefault;
        try {
            return parse.apply(v.trim().toLowerCase(Locale.ROOT));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("asr.engine." + key + ": '" + v + "' is not " + expected);
        }
    }

    /** "400ms", "1s" or a bare number of milliseconds. */
    private static long millis(String s) {
        if (s.endsWith("ms")) return Long.parseLong(s.substring(0, s.length() - 2).trim());
        if (s.endsWith("s")) return Math.round(Double.parseDouble(s.substring(0, s.length() - 1).trim()) * 1000);
        return Long.parseLong(s);
    }
}
