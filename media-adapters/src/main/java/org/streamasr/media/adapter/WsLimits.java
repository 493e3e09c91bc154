package org.streamasr.media.adapter;

import java.time.Duration;

/**
 * Per-connection limits of a WebSocket adapter.
 *
 * @param maxMessageBytes largest text or binary message accepted; a bigger one is dropped (a fragmented one closes
 *                        the connection with 1009), counted "message-too-big"
 * @param outbound        how much may wait to be sent back before partials are dropped and the peer evicted
 * @param idleTimeout     a connection with no traffic for this long is closed; {@link Duration#ZERO} for never
 */
public record WsLimits(int maxMessageBytes, OutboundQueue.Limits outbound, Duration idleTimeout) {
    public WsLimits {
        if (maxMessageBytes < 1024) throw new IllegalArgumentException("maxMessageBytes must be >= 1024");
        if (outbound == null) throw new IllegalArgumentException("outbound limits must be given");
        if (idleTimeout == null || idleTimeout.isNegative()) throw new IllegalArgumentException("idleTimeout must be >= 0");
    }

    /** 1 MiB messages (Jigasi's Vosk client sends 48 kB every 500 ms), 1 MiB outbound, 60 s idle. */
    public static WsLimits defaults() {
        return new WsLimits(1 << 20, OutboundQueue.Limits.defaults(), Duration.ofSeconds(60));
    }
}
