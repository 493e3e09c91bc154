package org.streamasr.media.jitsi;

import java.time.Duration;
import java.util.List;
import org.streamasr.media.adapter.WsLimits;

/**
 * Settings of the MEDIAJSON endpoint.
 *
 * @param paths            paths the endpoint is deployed at; a {@code {callId}} segment names the call (Jicofo's
 *                         {@code transcription.url-template} puts the meeting id there)
 * @param defaultLanguage  language reported to Jitsi Meet when neither the engine nor the connection names one (Meet
 *                         shows a caption only when {@code language} starts with the viewer's subtitle language)
 * @param sendInterim      whether partial transcripts go back (a connection overrides with {@code ?sendBackInterim=})
 * @param interimStability the {@code stability} sent with partials (Meet shows those above 0.85 as stable)
 * @param concealCap       longest loss concealed with Opus PLC/FEC; the rest of a gap is silence
 * @param silenceCap       longest gap filled with silence; beyond it the media clock jumps
 * @param maxPayloadBytes  largest decoded media payload accepted
 * @param maxSources       most source tags one connection may open
 */
public record MediaJsonConfig(List<String> paths, String defaultLanguage, boolean sendInterim, double interimStability,
                              Duration concealCap, Duration silenceCap, int maxPayloadBytes, int maxSources,
                              WsLimits limits) {

    public MediaJsonConfig {
        paths = List.copyOf(paths);
        if (paths.isEmpty()) throw new IllegalArgumentException("mediajson: at least one path");
        if (defaultLanguage == null || defaultLanguage.isBlank()) throw new IllegalArgumentException("mediajson: default-language must be given");
        if (interimStability < 0 || interimStability > 1) throw new IllegalArgumentException("mediajson: interim-stability must be in [0, 1]");
        if (concealCap.isNegative() || silenceCap.isNegative()) throw new IllegalArgumentException("mediajson: caps must be >= 0");
        if (maxPayloadBytes < 64) throw new IllegalArgumentException("mediajson: max-payload-bytes must be >= 64");
        if (maxSources < 1) throw new IllegalArgumentException("mediajson: max-sources must be >= 1");
    }

    /**
     * Paths {@code /mediajson}, {@code /mediajson/{callId}} and {@code /transcribe} (the URL shape of Jitsi's
     * opus-transcriber-proxy, so a deployment can swap it for us); English; partials on with stability 0.5; 120 ms
     * concealment (as the proxy); 2 s of silence fill; 8 KiB payloads; 64 sources.
     */
    public static MediaJsonConfig defaults() {
        return new MediaJsonConfig(List.of("/mediajson", "/mediajson/{callId}", "/transcribe"), "en", true, 0.5,
                Duration.ofMillis(120), Duration.ofSeconds(2), 8192, 64, WsLimits.defaults());
    }

    static long samples16k(Duration d) {
        return d.toMillis() * 16;
    }
}
