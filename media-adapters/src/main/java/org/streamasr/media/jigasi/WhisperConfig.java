package org.streamasr.media.jigasi;

import java.util.List;
import org.streamasr.media.adapter.WsLimits;

/**
 * Settings of the Whisper/Skynet-compatible endpoint.
 *
 * @param paths           paths the endpoint is deployed at; the {@code {meetingId}} segment is the call id
 * @param jwt             verifier for the token of each connection ({@code ?auth_token=} or
 *                        {@code Authorization: Bearer}), or {@code null} with {@code open} for no authentication
 * @param open            accept connections without checking any token (only when {@code jwt} is null)
 * @param maxParticipants most participants one connection (one room) may send
 * @param interimVariance the {@code variance} sent with interim results (Jigasi passes it on as the stability; Jitsi
 *                        Meet shows interims above 0.85 as stable); finals carry 1.0
 */
public record WhisperConfig(List<String> paths, JwtVerifier jwt, boolean open, int maxParticipants,
                            double interimVariance, WsLimits limits) {
    public WhisperConfig {
        paths = List.copyOf(paths);
        if (paths.isEmpty()) throw new IllegalArgumentException("whisper: at least one path");
        if (jwt == null && !open) throw new IllegalArgumentException("whisper: configure a JWT key/secret, or open = true");
        if (jwt != null && open) throw new IllegalArgumentException("whisper: open = true and a JWT key/secret exclude each other");
        if (maxParticipants < 1) throw new IllegalArgumentException("whisper: max-participants must be >= 1");
        if (interimVariance < 0 || interimVariance > 1) throw new IllegalArgumentException("whisper: interim-variance must be in [0, 1]");
    }

    /**
     * Paths {@code /streaming-whisper/ws/{meetingId}} (Skynet's) and {@code /ws/{meetingId}} (Jigasi's default
     * {@code websocket_url} plus its connection id); no authentication (set {@code jwt} for production); 100
     * participants; interim variance 0.5.
     */
    public static WhisperConfig openDefaults() {
        return new WhisperConfig(List.of("/streaming-whisper/ws/{meetingId}", "/ws/{meetingId}"), null, true, 100, 0.5,
                WsLimits.defaults());
    }

    public WhisperConfig withJwt(JwtVerifier verifier) {
        return new WhisperConfig(paths, verifier, false, maxParticipants, interimVariance, limits);
    }
}
