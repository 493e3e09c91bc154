package org.streamasr.media.fork;

import java.time.Duration;
import java.util.List;
import org.streamasr.media.adapter.WsLimits;

/**
 * Settings of the Twilio Media Streams endpoint.
 *
 * @param paths           paths the endpoint is deployed at
 * @param concealCap      longest loss concealed (G.711 concealment fades out within 20 ms anyway); the rest is silence
 * @param silenceCap      longest gap filled with silence; beyond it the media clock jumps
 * @param maxPayloadBytes largest decoded media payload accepted (Twilio sends 160 bytes per 20 ms)
 */
public record TwilioConfig(List<String> paths, Duration concealCap, Duration silenceCap, int maxPayloadBytes, WsLimits limits) {
    public TwilioConfig {
        paths = List.copyOf(paths);
        if (paths.isEmpty()) throw new IllegalArgumentException("twilio: at least one path");
        if (concealCap.isNegative() || silenceCap.isNegative()) throw new IllegalArgumentException("twilio: caps must be >= 0");
        if (maxPayloadBytes < 160) throw new IllegalArgumentException("twilio: max-payload-bytes must be >= 160");
    }

    /** Path {@code /twilio}; 120 ms concealment, 2 s silence fill; 8 KiB payloads. */
    public static TwilioConfig defaults() {
        return new TwilioConfig(List.of("/twilio"), Duration.ofMillis(120), Duration.ofSeconds(2), 8192, WsLimits.defaults());
    }
}
