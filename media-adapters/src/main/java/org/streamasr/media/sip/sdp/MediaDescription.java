package org.streamasr.media.sip.sdp;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One {@code m=} section of a session description.
 *
 * @param media      media type ("audio", "video", "application", ...)
 * @param port       transport port; 0 marks a rejected or disabled stream
 * @param proto      transport protocol ("RTP/AVP", "RTP/SAVP", ...)
 * @param formats    the format list: RTP payload type numbers for RTP protocols
 * @param connection the media-level {@code c=} address, or {@code null} to use the session's
 * @param attributes the media-level {@code a=} lines in order
 */
public record MediaDescription(String media, int port, String proto, List<String> formats, String connection,
                               List<SdpAttribute> attributes) {

    public MediaDescription {
        formats = List.copyOf(formats);
        attributes = List.copyOf(attributes);
    }

    /** The value of the first attribute with this name, or {@code null}. */
    public String attribute(String name) {
        for (SdpAttribute a : attributes) if (a.name().equalsIgnoreCase(name)) return a.value() == null ? "" : a.value();
        return null;
    }

    /** The values of every attribute with this name, in order. */
    public List<String> attributes(String name) {
        List<String> out = new ArrayList<>();
        for (SdpAttribute a : attributes) if (a.name().equalsIgnoreCase(name)) out.add(a.value() == null ? "" : a.value());
        return out;
    }

    /** The direction given at media level, or {@code null} when the media section has none. */
    public MediaDirection direction() {
        for (SdpAttribute a : attributes) {
            if (a.value() == null) {
                MediaDirection d = MediaDirection.fromAttribute(a.name().toLowerCase(Locale.ROOT));
                if (d != null) return d;
            }
        }
        return null;
    }

    /** The {@code a=rtpmap} value for a payload type ("opus/48000/2"), or {@code null}. */
    public String rtpmap(String payloadType) {
        return parameterOf("rtpmap", payloadType);
    }

    /** The {@code a=fmtp} value for a payload type ("useinbandfec=1"), or {@code null}. */
    public String fmtp(String payloadType) {
        return parameterOf("fmtp", payloadType);
    }

    private String parameterOf(String name, String payloadType) {
        for (String v : attributes(name)) {
            int sp = v.indexOf(' ');
            if (sp > 0 && v.substring(0, sp).equals(payloadType)) return v.substring(sp + 1).trim();
        }
        return null;
    }

    /** Whether the transport is SRTP keyed in the SDP (RTP/SAVP or RTP/SAVPF). */
    public boolean isSecureRtp() {
        return proto.equalsIgnoreCase("RTP/SAVP") || proto.equalsIgnoreCase("RTP/SAVPF");
    }

    /** Whether the transport is plain or SDES-keyed RTP over UDP. */
    public boolean isRtpOverUdp() {
        return isSecureRtp() || proto.equalsIgnoreCase("RTP/AVP") || proto.equalsIgnoreCase("RTP/AVPF");
    }

    void appendTo(StringBuilder sb) {
        sb.append("m=").append(media).append(' ').append(port).append(' ').append(proto);
        for (String f : formats) sb.append(' ').append(f);
        sb.append("\r\n");
        if (connection != null) sb.append("c=").append(connection).append("\r\n");
        for (SdpAttribute a : attributes) sb.append(a.toLine()).append("\r\n");
    }
}
