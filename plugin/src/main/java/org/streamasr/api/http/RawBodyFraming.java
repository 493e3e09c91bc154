package org.streamasr.api.http;

import java.io.IOException;
import org.streamasr.api.ApiError;

/**
 * Request-body framing for requests that carry an {@code Upgrade} header (Java's HttpClient sends
 * {@code Upgrade: h2c} by default): Grizzly treats them as protocol switches and hands their body over undecoded
 * and without an end, so we apply Content-Length or chunked framing ourselves and say when the body is complete.
 */
final class RawBodyFraming {
    private enum State { SIZE, DATA, DATA_CRLF, TRAILER, DONE }

    private final long contentLength;
    private final boolean chunked;
    private long seen;
    private State state = State.SIZE;
    private long chunkLeft;
    private final StringBuilder line = new StringBuilder();

    RawBodyFraming(long contentLength, boolean chunked) {
        this.contentLength = contentLength;
        this.chunked = chunked;
    }

    /** True when there is no body at all. */
    boolean emptyBody() {
        return !chunked && contentLength <= 0;
    }

    /** Passes the body bytes in {@code b[off, off+len)} to {@code sink}; true once the body is complete. */
    boolean feed(byte[] b, int off, int len, HttpExchange.BodySink sink) throws IOException, ApiError {
        if (!chunked) {
            int take = (int) Math.min(len, contentLength - seen);
            if (take > 0) sink.write(b, off, take);
            seen += take;
            return seen >= contentLength;
        }
        int i = off;
        int end = off + len;
        while (i < end && state != State.DONE) {
            switch (state) {
                case SIZE:
                case DATA_CRLF:
                case TRAILER:
                    char c = (char) (b[i++] & 0xff);
                    if (c != '\n') {
                        if (line.length() > 1024) throw badChunk();
                        line.append(c);
                        break;
                    }
                    String l = line.toString().trim();
                    line.setLength(0);
                    if (state == State.DATA_CRLF) {
                        state = State.SIZE;
                    } else if (state == State.TRAILER) {
                        if (l.isEmpty()) state = State.DONE;
                    } else {
                        int semi = l.indexOf(';');
                        try {
                            chunkLeft = Long.parseLong(semi >= 0 ? l.substring(0, semi).trim() : l, 16);
                        } catch (NumberFormatException e) {
                            throw badChunk();
                        }
                        if (chunkLeft < 0) throw badChunk();
                        state = chunkLeft == 0 ? State.TRAILER : State.DATA;
                    }
                    break;
                case DATA:
                    int n = (int) Math.min(end - i, chunkLeft);
                    sink.write(b, i, n);
                    i += n;
                    chunkLeft -= n;
                    if (chunkLeft == 0) state = State.DATA_CRLF;
                    break;
                default:
                    break;
            }
        }
        return state == State.DONE;
    }

    private static ApiError badChunk() {
        return ApiError.plain(400, "bad_request", "malformed chunked request body");
    }
}
