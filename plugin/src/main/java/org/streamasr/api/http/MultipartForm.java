package org.streamasr.api.http;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * A {@code multipart/form-data} body (RFC 7578), parsed from memory: the body is bounded by
 * {@code asr.api.limits.max-request-body} before it gets here. Only what form uploads use: each part's
 * {@code Content-Disposition} name and filename, its {@code Content-Type}, and its bytes.
 */
final class MultipartForm {
    record Part(String name, String filename, String contentType, byte[] data) {
        String text() {
            return new String(data, StandardCharsets.UTF_8);
        }
    }

    private final List<Part> parts;

    private MultipartForm(List<Part> parts) {
        this.parts = List.copyOf(parts);
    }

    /** The boundary of a {@code multipart/form-data} content type, or null when it is not one. */
    static String boundary(String contentType) {
        if (contentType == null) return null;
        String[] pieces = contentType.split(";");
        if (!pieces[0].trim().equalsIgnoreCase("multipart/form-data")) return null;
        for (int i = 1; i < pieces.length; i++) {
            String p = pieces[i].trim();
            if (p.toLowerCase(Locale.ROOT).startsWith("boundary=")) {
                String b = p.substring(9).trim();
                if (b.length() >= 2 && b.startsWith("\"") && b.endsWith("\"")) b = b.substring(1, b.length() - 1);
                return b.isEmpty() ? null : b;
            }
        }
        return null;
    }

    /**
     * @throws IllegalArgumentException with a message for the client when the body is not well-formed
     */
    static MultipartForm parse(byte[] body, String boundary) {
        byte[] delimiter = ("--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
        int pos = indexOf(body, delimiter, 0);
        if (pos < 0) throw new IllegalArgumentException("multipart body without its boundary");
        List<Part> parts = new ArrayList<>();
        while (true) {
            pos += delimiter.length;
            if (pos + 2 <= body.length && body[pos] == '-' && body[pos + 1] == '-') break; // closing delimiter
            pos = skipLineEnd(body, pos);
            int headersEnd = indexOf(body, "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1), pos);
            if (headersEnd < 0) throw new IllegalArgumentException("multipart part without a blank line after its headers");
            String headers = new String(body, pos, headersEnd - pos, StandardCharsets.UTF_8);
            int dataStart = headersEnd + 4;
            byte[] next = ("\r\n--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
            int dataEnd = indexOf(body, next, dataStart);
            if (dataEnd < 0) throw new IllegalArgumentException("multipart body ends inside a part (no closing boundary)");
            parts.add(part(headers, Arrays.copyOfRange(body, dataStart, dataEnd)));
            pos = dataEnd + 2;
        }
        return new MultipartForm(parts);
    }

    private static Part part(String headers, byte[] data) {
        String name = null, filename = null, type = null;
        for (String line : headers.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon < 0) continue;
            String h = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String v = line.substring(colon + 1).trim();
            if (h.equals("content-disposition")) {
                name = parameter(v, "name");
                filename = parameter(v, "filename");
            } else if (h.equals("content-type")) {
                type = v;
            }
        }
        if (name == null) throw new IllegalArgumentException("multipart part without a Content-Disposition name");
        return new Part(name, filename, type, data);
    }

    /** {@code name="x"} from a Content-Disposition value (quoted or not). */
    private static String parameter(String value, String key) {
        for (String piece : value.split(";")) {
            String p = piece.trim();
            int eq = p.indexOf('=');
            if (eq < 0 || !p.substring(0, eq).trim().equalsIgnoreCase(key)) continue;
            String v = p.substring(eq + 1).trim();
            if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) v = v.substring(1, v.length() - 1);
            return v.replace("\\\"", "\"");
        }
        return null;
    }

    private static int skipLineEnd(byte[] b, int pos) {
        while (pos < b.length && (b[pos] == ' ' || b[pos] == '\t')) pos++;
        if (pos + 1 < b.length && b[pos] == '\r' && b[pos + 1] == '\n') return pos + 2;
        if (pos < b.length && b[pos] == '\n') return pos + 1;
        throw new IllegalArgumentException("multipart boundary not followed by a line end");
    }

    private static int indexOf(byte[] data, byte[] pattern, int from) {
        outer:
        for (int i = from; i <= data.length - pattern.length; i++) {
            for (int j = 0; j < pattern.length; j++) if (data[i + j] != pattern[j]) continue outer;
            return i;
        }
        return -1;
    }

    /** The first part named {@code name}, or null. */
    Part part(String name) {
        for (Part p : parts) if (p.name().equals(name)) return p;
        return null;
    }

    /** The text of the first part named {@code name}, or null. */
    String text(String name) {
        Part p = part(name);
        return p == null ? null : p.text();
    }

    /** The texts of every part named {@code name} (repeated fields such as {@code timestamp_granularities[]}). */
    List<String> texts(String name) {
        List<String> out = new ArrayList<>();
        for (Part p : parts) if (p.name().equals(name)) out.add(p.text());
        return out;
    }

    List<Part> parts() {
        return parts;
    }
}
