package org.streamasr.media.jigasi;

import java.util.List;
import org.streamasr.media.adapter.WsLimits;

/**
 * Settings of the Vosk-compatible endpoint.
 *
 * @param paths             paths the endpoint is deployed at; a {@code {lang}} segment is the recognition language
 *                          (Jigasi routes languages with a URL map, one URL per language)
 * @param defaultSampleRate rate assumed for audio that arrives before a {@code config} message
 * @param maxSampleRate     highest {@code sample_rate} a config may ask for
 */
public record VoskConfig(List<String> paths, int defaultSampleRate, int maxSampleRate, WsLimits limits) {
    public VoskConfig {
        paths = List.copyOf(paths);
        if (paths.isEmpty()) throw new IllegalArgumentException("vosk: at least one path");
        if (defaultSampleRate < 8000 || defaultSampleRate > maxSampleRate) {
            throw new IllegalArgumentException("vosk: default-sample-rate must be in 8000..max-sample-rate");
        }
    }

    /** Paths {@code /vosk} and {@code /vosk/{lang}}; 16 kHz before any config; rates up to 192 kHz. */
    public static VoskConfig defaults() {
        return new VoskConfig(List.of("/vosk", "/vosk/{lang}"), 16_000, 192_000, WsLimits.defaults());
    }
}
