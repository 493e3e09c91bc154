package org.streamasr.engine.nemotron;

import static org.streamasr.engine.nemotron.PortChecks.FLOAT;
import static org.streamasr.engine.nemotron.PortChecks.INT64;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.streamasr.engine.features.LogMelExtractor;

/**
 * What one encoder export promises, read from its metadata and graph (contract 2.4) and checked for consistency.
 * Nothing here is hard-coded: window, shift, cache shapes, vocabulary size and the prompt dictionary all come from
 * the file.
 *
 * @param windowSize      mel frames per encoder run (chunk + pre-encode cache)
 * @param chunkShift      mel frames consumed per run
 * @param outFrames       encoder frames per run, {@code chunkShift / subsampling}
 * @param vocabSize       pieces without the blank (the blank id is {@code vocabSize})
 * @param promptDictionary ML only: language → prompt id; empty for the English model
 */
record EncoderContract(int chunkMs, int windowSize, int chunkShift, int subsampling, int outFrames, int featDim,
                       int vocabSize, int layers, int leftContext, int dModel, int timeLayers, int timeDim,
                       int convContext, int predLayers, int predHidden, Map<String, Integer> promptDictionary,
                       int autoPromptId, String modelType) {

    static final List<String> INPUTS = List.of("audio_signal", "length", "cache_last_channel", "cache_last_time",
            "cache_last_channel_len");
    static final String PROMPT_INDEX = "prompt_index";

    boolean multilingual() {
        return !promptDictionary.isEmpty();
    }

    /** Mel frames before the chunk that the encoder reads but whose output it drops. */
    int preEncode() {
        return windowSize - chunkShift;
    }

    static EncoderContract read(OnnxFileSummary file) {
        PortChecks c = new PortChecks(file);
        boolean ml = file.input(PROMPT_INDEX) != null;
        c.exactInputs(ml ? concat(INPUTS, PROMPT_INDEX) : INPUTS);
        OnnxFileSummary.Port audio = c.input("audio_signal", FLOAT, 3);
        c.input("length", INT64, 1);
        OnnxFileSummary.Port channel = c.input("cache_last_channel", FLOAT, 4);
        OnnxFileSummary.Port time = c.input("cache_last_time", FLOAT, 4);
        c.input("cache_last_channel_len", INT64, 1);
        if (ml) c.input(PROMPT_INDEX, INT64, 1);
        OnnxFileSummary.Port out = c.output("outputs", FLOAT, 3);
        c.output("encoded_lengths", INT64, 1);
        OnnxFileSummary.Port channelNext = c.output("cache_last_channel_next", FLOAT, 4);
        OnnxFileSummary.Port timeNext = c.output("cache_last_time_next", FLOAT, 4);
        c.output("cache_last_channel_next_len", INT64, 1);

        int chunkMs = c.metaInt("chunk_size_ms");
        int window = c.metaInt("window_size");
        int shift = c.metaInt("chunk_shift");
        int subsampling = c.metaInt("subsampling_factor");
        int featDim = c.metaInt("feat_dim");
        int vocab = c.metaInt("vocab_size");
        int[] ch = {c.metaInt("cache_last_channel_dim1"), c.metaInt("cache_last_channel_dim2"), c.metaInt("cache_last_channel_dim3")};
        int[] tm = {c.metaInt("cache_last_time_dim1"), c.metaInt("cache_last_time_dim2"), c.metaInt("cache_last_time_dim3")};
        int predLayers = c.metaInt("pred_rnn_layers");
        int predHidden = c.metaInt("pred_hidden");
        String normalize = c.meta("normalize_type");
        if (normalize != null && !normalize.isEmpty() && !normalize.equals("NA")) {
            throw c.fail("metadata normalize_type is '" + normalize + "'; the front end computes un-normalised log-mels "
                    + "(normalize NA), as the Nemotron exports expect");
        }
        if (featDim != LogMelExtractor.N_MELS) {
            throw c.fail("metadata feat_dim is " + featDim + ", the front end computes " + LogMelExtractor.N_MELS + " mel bins");
        }
        if (subsampling <= 0 || shift <= 0 || shift % subsampling != 0) {
            throw c.fail("metadata chunk_shift " + shift + " is not a positive multiple of subsampling_factor " + subsampling);
        }
        if (window <= shift) throw c.fail("metadata window_size " + window + " must exceed chunk_shift " + shift);
        if (chunkMs != shift * 10) {
            throw c.fail("metadata chunk_size_ms " + chunkMs + " does not match chunk_shift " + shift + " (10 ms mel frames)");
        }
        if (vocab <= 0 || predLayers <= 0 || predHidden <= 0) throw c.fail("metadata vocab_size, pred_rnn_layers and pred_hidden must be positive");
        for (int i = 0; i < 3; i++) {
            if (ch[i] <= 0 || tm[i] <= 0) throw c.fail("metadata cache_last_*_dim" + (i + 1) + " must be positive");
            c.dim(channel, i + 1, ch[i], "metadata cache_last_channel_dim" + (i + 1));
            c.dim(channelNext, i + 1, ch[i], "metadata cache_last_channel_dim" + (i + 1));
            c.dim(time, i + 1, tm[i], "metadata cache_last_time_dim" + (i + 1));
            c.dim(timeNext, i + 1, tm[i], "metadata cache_last_time_dim" + (i + 1));
        }
        c.dim(audio, 1, featDim, "metadata feat_dim");
        c.dim(out, 1, ch[2], "metadata cache_last_channel_dim3 (d_model)");

        Map<String, Integer> prompts = Map.of();
        int auto = -1;
        if (ml) {
            prompts = promptDictionary(c);
            auto = c.metaInt("auto_prompt_id");
            if (auto < 0) throw c.fail("metadata auto_prompt_id " + auto + " is negative");
        }
        return new EncoderContract(chunkMs, window, shift, subsampling, shift / subsampling, featDim, vocab,
                ch[0], ch[1], ch[2], tm[0], tm[1], tm[2], predLayers, predHidden, prompts, auto,
                String.valueOf(c.meta("model_type")));
    }

    private static Map<String, Integer> promptDictionary(PortChecks c) {
        String json = c.meta("prompt_dictionary");
        if (json == null) throw c.fail("has input 'prompt_index' but no metadata 'prompt_dictionary'");
        JsonNode node;
        try {
            node = new ObjectMapper().readTree(json);
        } catch (JsonProcessingException e) {
            throw c.fail("metadata prompt_dictionary is not JSON: " + e.getOriginalMessage());
        }
        if (node == null || !node.isObject() || node.isEmpty()) throw c.fail("metadata prompt_dictionary is not a JSON object of language → id");
        Map<String, Integer> map = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().canConvertToInt() || !e.getValue().isIntegralNumber() || e.getValue().asInt() < 0) {
                throw c.fail("metadata prompt_dictionary maps '" + e.getKey() + "' to " + e.getValue() + ", expected a non-negative integer");
            }
            map.put(e.getKey(), e.getValue().asInt());
        }
        return Map.copyOf(map);
    }

    private static List<String> concat(List<String> list, String extra) {
        var all = new java.util.ArrayList<>(list);
        all.add(extra);
        return all;
    }

    /** The export's own description, for logs. */
    String describe() {
        return chunkMs + " ms (window " + windowSize + ", shift " + chunkShift + " mel frames, " + layers + "x" + leftContext
                + "x" + dModel + " attention cache, vocabulary " + vocabSize + (multilingual() ? ", " + promptDictionary.size()
                + " prompt languages" : "") + ")";
    }
}
