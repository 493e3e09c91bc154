package org.streamasr.media.sip.wire;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Cuts a SIP-over-TCP byte stream into messages (RFC 3261 section 18.3: a message ends Content-Length bytes after
 * the blank line that ends its headers) and decides, before a body is read, whether it may be: a body over the limit
 * is skipped as it streams past, never held, so that its sender can be answered 413 and the connection goes on with
 * the next message. Not thread-safe: one connection's reader feeds it.
 */
final class SipStreamFramer {

    /** What the framer found. Called on the feeding thread, in stream order. */
    interface Handler {
        /** A whole message: header block, blank line and body. */
        void message(byte[] message) throws Exception;

        /** CR/LF bytes between messages: keep-alives (RFC 5626 section 4.4.1), passed on as they came. */
        void keepAlive(byte[] crlf) throws Exception;

        /** A message whose declared body is over the limit: its header block (the body is skipped unread). */
        void oversized(String head, long contentLength) throws Exception;
    }

    /** The stream cannot be framed any further; the connection must close. {@code head} is null when unknown. */
    static final class UnframeableException extends IOException {
        final String head;

        UnframeableException(String message, String head) {
            super(message);
            this.head = head;
        }
    }

    private enum State { HEAD, BODY, SKIP }

    private static final int END_OF_HEAD = ('\r' << 24) | ('\n' << 16) | ('\r' << 8) | '\n';

    private final int maxBodyBytes;
    private final int maxHeadBytes;
    private final Handler handler;
    private final ByteArrayOutputStream head = new ByteArrayOutputStream(1024);
    private State state = State.HEAD;
    private byte[] message;
    /** The last four bytes of the header block so far, to spot the CR LF CR LF that ends it. */
    private int tail;
    private int headLength;
    private int filled;
    private long toSkip;

    SipStreamFramer(int maxBodyBytes, int maxHeadBytes, Handler handler) {
        this.maxBodyBytes = maxBodyBytes;
        this.maxHeadBytes = maxHeadBytes;
        this.handler = handler;
    }

    /** The next bytes read from the connection. */
    void feed(byte[] bytes) throws Exception {
        int i = 0;
        while (i < bytes.length) {
            switch (state) {
                case HEAD -> i = readHead(bytes, i);
                case BODY -> i = readBody(bytes, i);
                case SKIP -> {
                    int n = (int) Math.min(toSkip, bytes.length - i);
                    toSkip -= n;
                    i += n;
                    if (toSkip == 0) state = State.HEAD;
                }
            }
        }
    }

    private int readHead(byte[] bytes, int from) throws Exception {
        int i = from;
        if (head.size() == 0) {
            while (i < bytes.length && (bytes[i] == '\r' || bytes[i] == '\n')) i++;
            if (i > from) {
                byte[] crlf = new byte[i - from];
                System.arraycopy(bytes, from, crlf, 0, crlf.length);
                handler.keepAlive(crlf);
                return i;
            }
        }
        for (; i < bytes.length; i++) {
            head.write(bytes[i]);
            tail = (tail << 8) | (bytes[i] & 0xff);
            if (head.size() > maxHeadBytes) {
                throw new UnframeableException("header block longer than " + maxHeadBytes + " bytes", null);
            }
            if (tail == END_OF_HEAD) {
                tail = 0;
                startBody();
                return i + 1;
            }
        }
        return i;
    }

    private void startBody() throws Exception {
        String text = head.toString(StandardCharsets.UTF_8);
        byte[] headBytes = head.toByteArray();
        head.reset();
        long length = contentLength(text);
        if (length > maxBodyBytes) {
            toSkip = length;
            state = length == 0 ? State.HEAD : State.SKIP;
            handler.oversized(text, length);
            return;
        }
        message = new byte[headBytes.length + (int) length];
        System.arraycopy(headBytes, 0, message, 0, headBytes.length);
        headLength = headBytes.length;
        filled = 0;
        if (length == 0) {
            deliver();
        } else {
            state = State.BODY;
        }
    }

    private int readBody(byte[] bytes, int from) throws Exception {
        int want = message.length - headLength - filled;
        int n = Math.min(want, bytes.length - from);
        System.arraycopy(bytes, from, message, headLength + filled, n);
        filled += n;
        if (filled == message.length - headLength) deliver();
        return from + n;
    }

    private void deliver() throws Exception {
        byte[] m = message;
        message = null;
        state = State.HEAD;
        handler.message(m);
    }

    /**
     * The Content-Length of a header block (long or compact form "l"); 0 when absent, as the stack also reads it.
     *
     * @throws UnframeableException when the value is not a number: where the body ends is then unknown
     */
    static long contentLength(String head) throws UnframeableException {
        for (String line : head.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon <= 0 || line.charAt(0) == ' ' || line.charAt(0) == '\t') continue;
            String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            if (!name.equals("content-length") && !name.equals("l")) continue;
            String value = line.substring(colon + 1).trim();
            try {
                long v = Long.parseLong(value);
                if (v < 0) throw new NumberFormatException();
                return v;
            } catch (NumberFormatException e) {
                throw new UnframeableException("bad Content-Length '" + value + "'", head);
            }
        }
        return 0;
    }
}
