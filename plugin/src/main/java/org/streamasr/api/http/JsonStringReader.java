package org.streamasr.api.http;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;

/**
 * The characters of one JSON string value, read from the bytes just after its opening quote up to the closing one,
 * escapes resolved, without ever holding the whole value: how a data URI of tens of megabytes is taken out of a
 * request body. Non-ASCII bytes (which no data URI payload contains) are read as U+FFFD rather than decoded.
 */
final class JsonStringReader extends Reader {
    private final InputStream in;
    private boolean ended;

    /** @param in positioned just after the opening quote */
    JsonStringReader(InputStream in) {
        this.in = in;
    }

    @Override
    public int read(char[] cbuf, int off, int len) throws IOException {
        if (len == 0) return 0;
        int n = 0;
        while (n < len) {
            int c = next();
            if (c < 0) break;
            cbuf[off + n++] = (char) c;
        }
        return n == 0 ? -1 : n;
    }

    private int next() throws IOException {
        if (ended) return -1;
        int b = in.read();
        if (b < 0) throw new EOFException("unterminated JSON string");
        if (b == '"') {
            ended = true;
            return -1;
        }
        if (b != '\\') return b < 0x80 ? b : 0xfffd;
        int e = in.read();
        switch (e) {
            case '"': case '\\': case '/': return e;
            case 'b': return '\b';
            case 'f': return '\f';
            case 'n': return '\n';
            case 'r': return '\r';
            case 't': return '\t';
            case 'u':
                int v = 0;
                for (int i = 0; i < 4; i++) {
                    int d = Character.digit(in.read(), 16);
                    if (d < 0) throw new IOException("bad \\u escape in a JSON string");
                    v = v << 4 | d;
                }
                return v;
            default:
                throw new IOException("bad escape in a JSON string");
        }
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
