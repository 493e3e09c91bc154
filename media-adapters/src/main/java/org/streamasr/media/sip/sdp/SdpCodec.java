package org.streamasr.media.sip.sdp;

/**
 * The audio codecs the gateway can receive, with their SDP names and static payload types (RFC 3551; Opus is always
 * dynamic and always {@code opus/48000/2}, RFC 7587; G.722 is {@code G722/8000} although it samples at 16 kHz).
 */
public enum SdpCodec {
    OPUS("opus", 48_000, 2, -1),
    G722("G722", 8_000, 1, 9),
    PCMU("PCMU", 8_000, 1, 0),
    PCMA("PCMA", 8_000, 1, 8);

    private final String encodingName;
    private final int clockRate;
    private final int channels;
    private final int staticPayloadType;

    SdpCodec(String encodingName, int clockRate, int channels, int staticPayloadType) {
        this.encodingName = encodingName;
        this.clockRate = clockRate;
        this.channels = channels;
        this.staticPayloadType = staticPayloadType;
    }

    public String encodingName() {
        return encodingName;
    }

    /** The RTP clock rate written in SDP (8000 for G.722). */
    public int clockRate() {
        return clockRate;
    }

    public int channels() {
        return channels;
    }

    /** The {@code a=rtpmap} encoding field: "PCMU/8000", "opus/48000/2". */
    public String rtpmapEncoding() {
        return encodingName + "/" + clockRate + (channels > 1 ? "/" + channels : "");
    }

    /** The codec a configuration name refers to ("opus", "g722", "pcmu", "PCMA"), or {@code null}. */
    public static SdpCodec byName(String name) {
        for (SdpCodec c : values()) if (c.encodingName.equalsIgnoreCase(name.trim())) return c;
        return null;
    }

    /** The codec of an offered format, from its rtpmap or, when it has none, its static payload type. */
    static SdpCodec of(String payloadType, String rtpmap) {
        if (rtpmap == null) {
            for (SdpCodec c : values()) if (c.staticPayloadType >= 0 && String.valueOf(c.staticPayloadType).equals(payloadType)) return c;
            return null;
        }
        String[] p = rtpmap.trim().split("/");
        if (p.length < 2) return null;
        for (SdpCodec c : values()) {
            if (c.encodingName.equalsIgnoreCase(p[0]) && String.valueOf(c.clockRate).equals(p[1].trim())) return c;
        }
        return null;
    }
}
