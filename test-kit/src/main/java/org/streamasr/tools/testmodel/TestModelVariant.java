package org.streamasr.tools.testmodel;

import java.util.List;
import java.util.Locale;

/** Which real export a constructed model imitates. */
public enum TestModelVariant {
    /** nemotron-speech-streaming-en-0.6b: no prompt input, chunk sizes 80/160/560/1120 ms, left context 70. */
    EN("EncDecHybridRNNTCTCBPEModel", 70, List.of(80, 160, 560, 1120)),
    /** nemotron-3.5-asr-streaming-0.6b: prompt_index input and prompt dictionary, 80/160/320/560/1120 ms, 56. */
    ML("EncDecRNNTBPEModelWithPrompt", 56, List.of(80, 160, 320, 560, 1120));

    private final String modelType;
    private final int leftContext;
    private final List<Integer> chunkMillis;

    TestModelVariant(String modelType, int leftContext, List<Integer> chunkMillis) {
        this.modelType = modelType;
        this.leftContext = leftContext;
        this.chunkMillis = chunkMillis;
    }

    public String modelType() {
        return modelType;
    }

    public int leftContext() {
        return leftContext;
    }

    /** The chunk sizes the real export ships. */
    public List<Integer> chunkMillis() {
        return chunkMillis;
    }

    public static TestModelVariant parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--variant must be en or ml, got '" + s + "'");
        }
    }
}
