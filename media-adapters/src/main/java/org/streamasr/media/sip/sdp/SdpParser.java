package org.streamasr.media.sip.sdp;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads session descriptions (RFC 4566) as SIP peers write them. Tolerant where peers commonly differ (LF or CRLF
 * line ends, trailing blanks, unknown line types), strict where a wrong reading would mislead negotiation (the
 * version line, malformed {@code m=} and {@code c=} lines).
 */
public final class SdpParser {
    /** More media sections than any real offer has; beyond it the description is refused rather than processed. */
    static final int MAX_MEDIA_SECTIONS = 32;
    static final int MAX_LINES = 1_000;

    private SdpParser() {
    }

    public static SessionDescription parse(String text) throws SdpParseException {
        if (text == null || text.isBlank()) throw new SdpParseException("empty session description");
        String[] lines = text.split("\r?\n|\r");
        if (lines.length > MAX_LINES) throw new SdpParseException("more than " + MAX_LINES + " lines");
        String origin = null;
        String name = null;
        String sessionConnection = null;
        List<SdpAttribute> sessionAttributes = new ArrayList<>();
        List<MediaDescription> media = new ArrayList<>();
        MediaBuilder current = null;
        boolean first = true;
        for (String raw : lines) {
            String line = raw.strip();
            if (line.isEmpty()) continue;
            if (line.length() < 2 || line.charAt(1) != '=') throw new SdpParseException("not a type=value line: " + clip(line));
            char type = line.charAt(0);
            String value = line.substring(2);
            if (first) {
                if (type != 'v' || !value.trim().equals("0")) throw new SdpParseException("first line must be v=0, got " + clip(line));
                first = false;
                continue;
            }
            switch (type) {
                case 'o' -> origin = value;
                case 's' -> name = value;
                case 'c' -> {
                    validateConnection(value);
                    if (current == null) sessionConnection = value;
                    else current.connection = value;
                }
                case 'a' -> {
                    SdpAttribute a = attribute(value);
                    if (current == null) sessionAttributes.add(a);
                    else current.attributes.add(a);
                }
                case 'm' -> {
                    if (current != null) media.add(current.build());
                    if (media.size() >= MAX_MEDIA_SECTIONS) throw new SdpParseException("more than " + MAX_MEDIA_SECTIONS + " media sections");
                    current = mediaLine(value);
                }
                default -> {
                    // b=, t=, r=, z=, k=, i=, u=, e=, p=: nothing offer/answer for audio needs
                }
            }
        }
        if (first) throw new SdpParseException("no v= line");
        if (current != null) media.add(current.build());
        return new SessionDescription(origin == null ? "- 0 0 IN IP4 0.0.0.0" : origin, name, sessionConnection,
                sessionAttributes, media);
    }

    private static SdpAttribute attribute(String value) throws SdpParseException {
        if (value.isEmpty()) throw new SdpParseException("empty a= line");
        int colon = value.indexOf(':');
        if (colon == 0) throw new SdpParseException("a= line without an attribute name: a=" + clip(value));
        return colon < 0 ? SdpAttribute.flag(value) : new SdpAttribute(value.substring(0, colon), value.substring(colon + 1));
    }

    private static MediaBuilder mediaLine(String value) throws SdpParseException {
        String[] parts = value.trim().split("\\s+");
        if (parts.length < 4) throw new SdpParseException("m= line needs media, port, proto and formats: " + clip(value));
        String portField = parts[1];
        int slash = portField.indexOf('/');
        if (slash >= 0) portField = portField.substring(0, slash);
        int port;
        try {
            port = Integer.parseInt(portField);
        } catch (NumberFormatException e) {
            throw new SdpParseException("bad port in m= line: " + clip(value));
        }
        if (port < 0 || port > 65_535) throw new SdpParseException("port out of range in m= line: " + clip(value));
        MediaBuilder b = new MediaBuilder();
        b.media = parts[0];
        b.port = port;
        b.proto = parts[2];
        b.formats = Arrays.asList(parts).subList(3, parts.length);
        return b;
    }

    private static void validateConnection(String value) throws SdpParseException {
        String[] parts = value.trim().split("\\s+");
        if (parts.length != 3 || !parts[0].equals("IN") || !(parts[1].equals("IP4") || parts[1].equals("IP6"))) {
            throw new SdpParseException("bad c= line: " + clip(value));
        }
    }

    private static String clip(String s) {
        return s.length() <= 80 ? s : s.substring(0, 80) + "...";
    }

    private static final class MediaBuilder {
        String media;
        int port;
        String proto;
        List<String> formats;
        String connection;
        final List<SdpAttribute> attributes = new ArrayList<>();

        MediaDescription build() {
            return new MediaDescription(media, port, proto, formats, connection, attributes);
        }
    }
}
