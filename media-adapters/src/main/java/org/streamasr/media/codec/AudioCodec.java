package org.streamasr.media.codec;

import java.util.Locale;
import java.util.Optional;

/**
 * The audio codecs the adapters decode, with their RTP conventions (RFC 3551, RFC 7587).
 *
 * <p>{@code defaultClockRate} is the RTP clock of the SDP {@code rtpmap}, which for G.722 is 8000 although the codec
 * samples at 16 kHz (RFC 3551 §4.5.2 keeps the value "erroneously assigned in RFC 1890").
 */
public enum AudioCodec {
    OPUS("opus", -1, 48_000, 2),
    PCMU("PCMU", 0, 8_000, 1),
    PCMA("PCMA", 8, 8_000, 1),
    G722("G722", 9, 8_000, 1),
    /** Linear 16-bit PCM, big-endian (network order), any rate and channel count. */
    L16("L16", -1, 16_000, 1);

    private final String rtpName;
    private final int staticPayloadType;
    private final int defaultClockRate;
    private final int defaultChannels;

    AudioCodec(String rtpName, int staticPayloadType, int defaultClockRate, int defaultChannels) {
        this.rtpName = rtpName;
        this.staticPayloadType = staticPayloadType;
        this.defaultClockRate = defaultClockRate;
        this.defaultChannels = defaultChannels;
    }

    /** The encoding name of an SDP {@code rtpmap} line. */
    public String rtpName() {
        return rtpName;
    }

    /** The static RTP payload type (RFC 3551), or -1 for codecs that only use dynamic ones. */
    public int staticPayloadType() {
        return staticPayloadType;
    }

    public int defaultClockRate() {
        return defaultClockRate;
    }

    public int defaultChannels() {
        return defaultChannels;
    }

    /**
     * The codec for an SDP encoding name or a common alias ("opus", "PCMU", "ulaw", "mulaw", "pcma", "alaw", "g722",
     * "L16", "slin"), case-insensitive.
     */
    public static Optional<AudioCodec> byName(String name) {
        if (name == null) return Optional.empty();
        return switch (name.trim().toLowerCase(Locale.ROOT)) {
            case "opus" -> Optional.of(OPUS);
            case "pcmu", "ulaw", "mulaw", "g711u", "pcm_mulaw" -> Optional.of(PCMU);
            case "pcma", "alaw", "g711a", "pcm_alaw" -> Optional.of(PCMA);
            case "g722" -> Optional.of(G722);
            case "l16", "slin", "linear16", "pcm_s16be" -> Optional.of(L16);
            default -> Optional.empty();
        };
    }

    /** The codec of a static payload type (0, 8, 9), if any. */
    public static Optional<AudioCodec> byStaticPayloadType(int pt) {
        for (AudioCodec c : values()) {
            if (c.staticPayloadType == pt) return Optional.of(c);
        }
        return Optional.empty();
    }
}
