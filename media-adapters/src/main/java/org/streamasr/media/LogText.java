package org.streamasr.media;

/**
 * Makes input from the network fit for a log line: printable, escaped, short. A sender's bytes (a Whisper header with
 * NULs, a binary frame where JSON was expected) must never reach a log raw.
 */
public final class LogText {
    /** Longest text a log line carries from an input. */
    public static final int MAX_CHARS = 160;

    private LogText() {
    }

    /**
     * {@code s} with control and other non-printable characters written as {@code \n}, {@code \t} or {@code \xNN} (or
     * backslash-u and four hex digits), cut to {@code max} characters with the length of the rest noted.
     */
    public static String printable(CharSequence s, int max) {
        if (s == null) return "null";
        StringBuilder out = new StringBuilder(Math.min(s.length(), max) + 16);
        int i = 0;
        for (; i < s.length() && out.length() < max; i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\\' -> out.append("\\\\");
                default -> {
                    if (c < 0x20 || c == 0x7f) out.append(String.format("\\x%02x", (int) c));
                    else if (Character.isISOControl(c) || !Character.isDefined(c) || Character.isSurrogate(c)
                            || Character.getType(c) == Character.FORMAT) out.append(String.format("\\u%04x", (int) c));
                    else out.append(c);
                }
            }
        }
        if (i < s.length()) out.append("... (").append(s.length() - i).append(" more chars)");
        return out.toString();
    }

    public static String printable(CharSequence s) {
        return printable(s, MAX_CHARS);
    }
}
