package org.streamasr.engine;

/**
 * Per-stream settings.
 *
 * @param language     "auto" or a locale such as "de-DE" (see {@link ApiLanguages}); null means the engine's default
 * @param acceleration chunk size; null means the engine's default ({@link Acceleration#REGULAR})
 * @param label        a name for logs ("call-12/alice")
 * @param live         true for live media (drop oldest when behind); false for files (the producer waits for room).
 *                     Both are segmented into utterances at endpoints.
 */
public record StreamSpec(String language, Acceleration acceleration, String label, boolean live) {

    public static StreamSpec live(String language, Acceleration acceleration, String label) {
        return new StreamSpec(language, acceleration, label, true);
    }

    public static StreamSpec file(String language, Acceleration acceleration, String label) {
        return new StreamSpec(language, acceleration, label, false);
    }
}
