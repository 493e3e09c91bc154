package org.streamasr.media.sip.siprec;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Splits a {@code multipart/mixed} body (RFC 2046 section 5.1) into its parts, as SIPREC sends SDP and recording
 * metadata together (RFC 7866 section 9). Accepts CRLF or bare LF line ends; refuses a body without its boundary,
 * without a closing delimiter, or with a part that has no header/body separator.
 */
public final class MultipartMixed {
    static final int MAX_PARTS = 16;

    /** One body part: its headers (names lower-cased) and content. */
    public record Part(Map<String, String> headers, String content) {
        /** The media type without parameters, lower-cased ("application/sdp"); text/plain when absent (RFC 2046). */
        public String contentType() {
            String ct = headers.get("content-type");
            if (ct == null) return "text/plain";
            int semi = ct.indexOf(';');
            return (semi < 0 ? ct : ct.substring(0, semi)).trim().toLowerCase(Locale.ROOT);
        }
    }

    private MultipartMixed() {
    }

    /** The boundary parameter of a multipart Content-Type value, or {@code null}. */
    public static String boundaryOf(String contentTypeValue) {
        for (String param : contentTypeValue.split(";")) {
            String p = param.trim();
            int eq = p.indexOf('=');
            if (eq > 0 && p.substring(0, eq).trim().equalsIgnoreCase("boundary")) {
                String b = p.substring(eq + 1).trim();
                if (b.length() >= 2 && b.startsWith("\"") && b.endsWith("\"")) b = b.substring(1, b.length() - 1);
                return b.isEmpty() || b.length() > 70 ? null : b;
            }
        }
        return null;
    }

    public static List<Part> parse(byte[] body, String boundary) throws MalformedBodyException {
        if (boundary == null) throw new MalformedBodyException("multipart body without a valid boundary parameter");
        String text = new String(body, StandardCharsets.UTF_8).replace("\r\n", "\n");
        String delimiter = "--" + boundary;
        List<Part> parts = new ArrayList<>();
        int pos = findDelimiter(text, delimiter, 0);
        if (pos < 0) throw new MalformedBodyException("multipart body has no boundary line --" + boundary);
        while (true) {
            int afterDelimiter = pos + delimiter.length();
            if (text.startsWith("--", afterDelimiter)) return requireParts(parts);
            int lineEnd = text.indexOf('\n', afterDelimiter);
            if (lineEnd < 0) throw new MalformedBodyException("multipart body ends inside a boundary line");
            int next = findDelimiter(text, delimiter, lineEnd + 1);
            if (next < 0) throw new MalformedBodyException("multipart body has no closing boundary --" + boundary + "--");
            // the line break before the next delimiter belongs to the delimiter (RFC 2046)
            int partEnd = next > lineEnd + 1 ? next - 1 : next;
            parts.add(part(text.substring(lineEnd + 1, Math.max(lineEnd + 1, partEnd))));
            if (parts.size() > MAX_PARTS) throw new MalformedBodyException("more than " + MAX_PARTS + " body parts");
            pos = next;
        }
    }

    private static List<Part> requireParts(List<Part> parts) throws MalformedBodyException {
        if (parts.isEmpty()) throw new MalformedBodyException("multipart body has no parts");
        return List.copyOf(parts);
    }

    /** The next delimiter at the start of a line at or after {@code from}. */
    private static int findDelimiter(String text, String delimiter, int from) {
        int i = from;
        while (true) {
            i = text.indexOf(delimiter, i);
            if (i < 0) return -1;
            if (i == 0 || text.charAt(i - 1) == '\n') return i;
            i += delimiter.length();
        }
    }

    private static Part part(String raw) throws MalformedBodyException {
        Map<String, String> headers = new LinkedHashMap<>();
        int bodyStart;
        if (raw.startsWith("\n")) {
            bodyStart = 1; // no headers: text/plain by default
        } else {
            int blank = raw.indexOf("\n\n");
            if (blank < 0) throw new MalformedBodyException("body part without an empty line after its headers");
            for (String line : raw.substring(0, blank).split("\n")) {
                int colon = line.indexOf(':');
                if (colon <= 0) throw new MalformedBodyException("malformed body part header: " + clip(line));
                headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
            }
            bodyStart = blank + 2;
        }
        return new Part(headers, raw.substring(bodyStart));
    }

    private static String clip(String s) {
        return s.length() <= 60 ? s : s.substring(0, 60) + "...";
    }
}
