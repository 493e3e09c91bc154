package org.streamasr.runtime;

/**
 * What may go into a log line from untrusted input: printable, escaped, shortened. Control characters and other
 * unprintable code points become {@code \n}, {@code \t}, {@code \0} or a backslash-u escape with four hex digits; bytes that are not printable
 * ASCII become {@code \xNN}; anything past the limit is cut, saying how long it was. The one helper for it: adapters
 * and drop details that echo what a peer sent use this, so a log never carries raw binary.
 */
public final class LogText {
    /** The default length kept. */
    public static final int MAX = 120;

    private LogText() {
    }

    /** {@code text} escaped and cut to {@value #MAX} characters. */
    public static String printable(String text) {
        return printable(text, MAX);
    }

    /** {@code text} escaped and cut to {@code max} characters (of the original). */
    public static String printable(String text, int max) {
        if (text == null) return "null";
        int n = Math.min(text.length(), max);
        StringBuilder b = new StringBuilder(n + 16);
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            switch (c) {
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                case '\0' -> b.append("\\0");
                default -> {
                    if (Character.isISOControl(c) || !printableChar(c)) b.append(String.format("\\u%04x", (int) c));
                    else b.append(c);
                }
            }
        }
        if (text.length() > max) b.append("...(").append(text.length()).append(" chars)");
        return b.toString();
    }

    /** {@code len} bytes of binary input: printable ASCII as is, the rest as {@code \xNN}, cut to {@code max} bytes. */
    public static String printable(byte[] data, int off, int len, int max) {
        int n = Math.min(len, max);
        StringBuilder b = new StringBuilder(n + 16);
        for (int i = 0; i < n; i++) {
            int x = data[off + i] & 0xff;
            if (x >= 0x20 && x < 0x7f && x != '\\') b.append((char) x);
            else b.append(String.format("\\x%02x", x));
        }
        if (len > max) b.append("...(").append(len).append(" bytes)");
        return b.toString();
    }

    private static boolean printableChar(char c) {
        if (Character.isSurrogate(c)) return true; // pairs: letters and emoji outside the BMP are fine
        int type = Character.getType(c);
        return type != Character.UNASSIGNED && type != Character.FORMAT && type != Character.PRIVATE_USE
                && type != Character.LINE_SEPARATOR && type != Character.PARAGRAPH_SEPARATOR;
    }
}
