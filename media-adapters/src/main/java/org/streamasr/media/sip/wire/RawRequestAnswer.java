package org.streamasr.media.sip.wire;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * A final response written from the raw header block of a request that never reaches the SIP stack (a malformed
 * mandatory header, or a body over the limit): the status line, then Via, From, To (with a tag), Call-ID and CSeq
 * copied as received, as RFC 3261 section 8.2.6.2 asks, and a Warning saying what was wrong.
 */
final class RawRequestAnswer {
    private static final Map<String, String> COMPACT = Map.of("v", "via", "f", "from", "t", "to", "i", "call-id");
    private static final List<String> ECHOED = List.of("via", "from", "to", "call-id", "cseq");

    private RawRequestAnswer() {
    }

    /**
     * The response text, or {@code null} when there is nothing to answer: a response, an ACK (RFC 3261 section
     * 17.2.3 never answers one), or a request without the headers a response must echo.
     */
    static String build(String head, int status, String reason, String warning) {
        String[] lines = unfold(head);
        if (lines.length == 0 || lines[0].startsWith("SIP/") || lines[0].regionMatches(true, 0, "ACK ", 0, 4)) return null;
        Map<String, List<String>> echoed = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon <= 0) continue;
            String name = lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT);
            name = COMPACT.getOrDefault(name, name);
            if (ECHOED.contains(name)) {
                echoed.computeIfAbsent(name, k -> new ArrayList<>()).add(lines[i].substring(colon + 1).trim());
            }
        }
        if (!echoed.keySet().containsAll(ECHOED)) return null;
        StringBuilder sb = new StringBuilder(512);
        sb.append("SIP/2.0 ").append(status).append(' ').append(reason).append("\r\n");
        for (String via : echoed.get("via")) sb.append("Via: ").append(via).append("\r\n");
        sb.append("From: ").append(echoed.get("from").get(0)).append("\r\n");
        String to = echoed.get("to").get(0);
        sb.append("To: ").append(to).append(to.toLowerCase(Locale.ROOT).contains(";tag=") ? "" : ";tag=" + newTag()).append("\r\n");
        sb.append("Call-ID: ").append(echoed.get("call-id").get(0)).append("\r\n");
        sb.append("CSeq: ").append(echoed.get("cseq").get(0)).append("\r\n");
        sb.append("Server: streamasr\r\n");
        if (warning != null) sb.append("Warning: 399 streamasr \"").append(warning.replaceAll("[\"\\\\\\p{Cntrl}]", "'")).append("\"\r\n");
        sb.append("Content-Length: 0\r\n\r\n");
        return sb.toString();
    }

    /** The header block's lines with folded continuations (RFC 3261 section 7.3.1) joined to their header. */
    private static String[] unfold(String head) {
        List<String> out = new ArrayList<>();
        for (String line : head.split("\r\n")) {
            if (line.isEmpty()) continue;
            if ((line.charAt(0) == ' ' || line.charAt(0) == '\t') && !out.isEmpty()) {
                out.set(out.size() - 1, out.get(out.size() - 1) + " " + line.trim());
            } else {
                out.add(line);
            }
        }
        return out.toArray(new String[0]);
    }

    private static String newTag() {
        return UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    }
}
