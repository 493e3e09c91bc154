package org.streamasr.media.sip.sdp;

import java.util.List;

/**
 * A parsed session description (RFC 4566), reduced to what offer/answer needs: the origin, the session-level
 * connection and attributes, and the media sections in order.
 *
 * @param origin     the {@code o=} value
 * @param name       the {@code s=} value
 * @param connection the session-level {@code c=} value ("IN IP4 192.0.2.1"), or {@code null}
 * @param attributes the session-level {@code a=} lines
 * @param media      the {@code m=} sections in order
 */
public record SessionDescription(String origin, String name, String connection, List<SdpAttribute> attributes,
                                 List<MediaDescription> media) {

    public SessionDescription {
        attributes = List.copyOf(attributes);
        media = List.copyOf(media);
    }

    /** The connection address that applies to a media section: its own {@code c=}, else the session's. */
    public String connectionAddressOf(MediaDescription m) {
        String c = m.connection() != null ? m.connection() : connection;
        if (c == null) return null;
        String[] parts = c.trim().split("\\s+");
        if (parts.length < 3) return null;
        String addr = parts[2];
        int slash = addr.indexOf('/');
        return slash > 0 ? addr.substring(0, slash) : addr;
    }

    /** The direction that applies to a media section: its own, else the session's, else sendrecv. */
    public MediaDirection directionOf(MediaDescription m) {
        MediaDirection d = m.direction();
        if (d != null) return d;
        for (SdpAttribute a : attributes) {
            if (a.value() == null) {
                MediaDirection s = MediaDirection.fromAttribute(a.name());
                if (s != null) return s;
            }
        }
        return MediaDirection.SENDRECV;
    }

    /** The SDP text with CRLF line ends, as it goes on the wire. */
    public String toSdp() {
        StringBuilder sb = new StringBuilder(256);
        sb.append("v=0\r\n");
        sb.append("o=").append(origin).append("\r\n");
        sb.append("s=").append(name == null || name.isEmpty() ? "-" : name).append("\r\n");
        if (connection != null) sb.append("c=").append(connection).append("\r\n");
        sb.append("t=0 0\r\n");
        for (SdpAttribute a : attributes) sb.append(a.toLine()).append("\r\n");
        for (MediaDescription m : media) m.appendTo(sb);
        return sb.toString();
    }
}
