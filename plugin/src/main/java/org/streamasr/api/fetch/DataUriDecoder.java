package org.streamasr.api.fetch;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Reader;
import java.util.Base64;
import java.util.Locale;

/**
 * Decodes a {@code data:} URI (RFC 2397, base64 or %-escaped) from a character stream into an output stream, a
 * buffer at a time: a 30 MB URI never becomes one String or one byte array. The one implementation behind both an
 * {@code audio_url} data URI held as text and one streamed out of a request body.
 */
public final class DataUriDecoder {
    /** Longest media type and parameters before the ',' that we read. */
    private static final int MAX_META = 1024;

    private DataUriDecoder() {
    }

    /**
     * Reads the whole URI ({@code data:<meta>,<payload>}) from {@code uri} and writes the decoded bytes to
     * {@code out}.
     *
     * @return the number of bytes written
     * @throws FetchException BAD_DATA_URI for a malformed URI or payload, TOO_LARGE past {@code maxBytes}
     */
    public static long decode(Reader uri, OutputStream out, long maxBytes) throws FetchException, IOException {
        StringBuilder meta = new StringBuilder();
        int c;
        while ((c = uri.read()) != -1 && c != ',') {
            if (meta.length() >= MAX_META) throw bad("data: URI without ',' in its first " + MAX_META + " characters");
            meta.append((char) c);
        }
        if (c == -1) throw bad("data: URI without ','");
        if (meta.length() < 5 || !meta.substring(0, 5).equalsIgnoreCase("data:")) throw bad("not a data: URI");
        boolean base64 = meta.toString().toLowerCase(Locale.ROOT).endsWith(";base64");
        long written = base64 ? decodeBase64(uri, out, maxBytes) : decodePercent(uri, out, maxBytes);
        if (written == 0) throw bad("data: URI is empty");
        return written;
    }

    private static long decodeBase64(Reader payload, OutputStream out, long maxBytes) throws IOException, FetchException {
        // the MIME decoder skips line breaks and other characters outside the alphabet, as decoding the text did
        InputStream bytes = Base64.getMimeDecoder().wrap(new AsciiStream(payload));
        byte[] buf = new byte[48 * 1024];
        long total = 0;
        while (true) {
            int n;
            try {
                n = bytes.read(buf);
            } catch (IOException e) {
                throw bad("data: URI is not valid base64: " + e.getMessage());
            }
            if (n < 0) return total;
            total += n;
            if (total > maxBytes) throw AudioFetcher.tooLarge(maxBytes);
            out.write(buf, 0, n);
        }
    }

    private static long decodePercent(Reader payload, OutputStream out, long maxBytes) throws IOException, FetchException {
        byte[] buf = new byte[16 * 1024];
        int at = 0;
        long total = 0;
        int c;
        while ((c = payload.read()) != -1) {
            int b = c;
            if (c == '%') {
                int hi = Character.digit(payload.read(), 16);
                int lo = Character.digit(payload.read(), 16);
                if (hi < 0 || lo < 0) throw bad("data: URI has bad %-escapes");
                b = hi << 4 | lo;
            } else if (c > 0xff) {
                b = '?';
            }
            if (++total > maxBytes) throw AudioFetcher.tooLarge(maxBytes);
            buf[at++] = (byte) b;
            if (at == buf.length) {
                out.write(buf, 0, at);
                at = 0;
            }
        }
        out.write(buf, 0, at);
        return total;
    }

    private static FetchException bad(String message) {
        return new FetchException(FetchException.Kind.BAD_DATA_URI, message);
    }

    /** The characters of a base64 payload as bytes (anything outside ASCII cannot be base64 and reads as '?'). */
    private static final class AsciiStream extends InputStream {
        private final Reader in;
        private final char[] chars = new char[16 * 1024];

        AsciiStream(Reader in) {
            this.in = in;
        }

        @Override
        public int read() throws IOException {
            int c = in.read();
            return c < 0 ? -1 : (c < 0x80 ? c : '?');
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(chars, 0, Math.min(len, chars.length));
            if (n <= 0) return n == 0 ? 0 : -1;
            for (int i = 0; i < n; i++) b[off + i] = (byte) (chars[i] < 0x80 ? chars[i] : '?');
            return n;
        }
    }
}
