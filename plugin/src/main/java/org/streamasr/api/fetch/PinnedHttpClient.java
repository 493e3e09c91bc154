package org.streamasr.api.fetch;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * A minimal HTTP/1.1 client for URLs that clients give us (audio_url, webhooks), safe against server-side request
 * forgery and DNS rebinding: it resolves the host once, checks every resolved address with {@link AddressPolicy},
 * and connects to a checked address itself (TLS still verifies the certificate against the URL's host name). The
 * JDK clients cannot do that: they resolve the name again when they connect. Redirects are the caller's business
 * (each hop is a new {@link #open} and so a new check).
 */
public final class PinnedHttpClient {
    private static final int MAX_HEADER_LINE = 16 * 1024;
    private static final int MAX_HEADERS = 200;

    private final AddressPolicy policy;
    private final Duration connectTimeout;
    private final SSLContext ssl;
    private final String userAgent;

    public PinnedHttpClient(AddressPolicy policy, Duration connectTimeout, SSLContext ssl, String userAgent) {
        this.policy = policy;
        this.connectTimeout = connectTimeout;
        this.ssl = ssl;
        this.userAgent = userAgent;
    }

    /**
     * Checks {@code uri} (scheme and every address its host resolves to), connects, sends the request and reads the
     * response head. The caller reads the body from the returned exchange and closes it; closing it from another
     * thread aborts a blocked read.
     *
     * @param deadlineNanos {@link System#nanoTime()} by which everything, body included, must be done
     * @param abortable     receives each socket as soon as it exists, so that another thread can abort the exchange
     *                      (connect and response head included) by closing it
     */
    public Exchange open(URI uri, String method, Map<String, String> headers, byte[] body, long deadlineNanos,
                         Consumer<Closeable> abortable) throws IOException, RefusedUrlException {
        Target t = check(uri);
        Socket socket = connect(t, deadlineNanos, abortable);
        try {
            if (t.tls) socket = startTls(socket, t, deadlineNanos);
            OutputStream out = socket.getOutputStream();
            out.write(requestHead(uri, t, method, headers, body).getBytes(StandardCharsets.ISO_8859_1));
            if (body != null) out.write(body);
            out.flush();
            Exchange ex = new Exchange(uri, t.address, socket, deadlineNanos);
            ex.readHead(method);
            return ex;
        } catch (IOException | RuntimeException e) {
            closeQuietly(socket);
            throw e;
        }
    }

    /** Resolves and checks {@code uri} without connecting; the error says which rule refused it. */
    public Target check(URI uri) throws RefusedUrlException, UnknownHostException {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new RefusedUrlException("only http and https URLs can be fetched, not '" + scheme + ":'");
        }
        if (uri.getRawUserInfo() != null) throw new RefusedUrlException("URLs with credentials are not fetched");
        String host = uri.getHost();
        if (host == null || host.isEmpty()) throw new RefusedUrlException("the URL has no host");
        String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        InetAddress[] all = InetAddress.getAllByName(bare);
        for (InetAddress a : all) {
            String why = policy.refusal(a);
            if (why != null) {
                throw new RefusedUrlException("refusing to connect to " + host + ": " + a.getHostAddress() + " is " + why);
            }
        }
        boolean tls = scheme.equals("https");
        int port = uri.getPort() == -1 ? (tls ? 443 : 80) : uri.getPort();
        return new Target(host, bare, List.of(all), port, tls, null);
    }

    private Socket connect(Target t, long deadlineNanos, Consumer<Closeable> abortable) throws IOException {
        IOException last = null;
        for (InetAddress a : t.addresses) {
            long left = remainingMillis(deadlineNanos);
            Socket s = new Socket();
            abortable.accept(s);
            try {
                s.connect(new InetSocketAddress(a, t.port), (int) Math.min(left, connectTimeout.toMillis()));
                s.setTcpNoDelay(true);
                t.address = a;
                return s;
            } catch (IOException e) {
                closeQuietly(s);
                last = e;
            }
        }
        throw new IOException("cannot connect to " + t.host + ":" + t.port + ": " + (last == null ? "no address" : last.getMessage()), last);
    }

    private Socket startTls(Socket plain, Target t, long deadlineNanos) throws IOException {
        SSLSocket s = (SSLSocket) ssl.getSocketFactory().createSocket(plain, t.bareHost, t.port, true);
        SSLParameters p = s.getSSLParameters();
        p.setEndpointIdentificationAlgorithm("HTTPS");
        if (!isIpLiteral(t.bareHost)) p.setServerNames(List.of(new SNIHostName(t.bareHost)));
        s.setSSLParameters(p);
        s.setSoTimeout((int) remainingMillis(deadlineNanos));
        s.startHandshake();
        return s;
    }

    private String requestHead(URI uri, Target t, String method, Map<String, String> headers, byte[] body) {
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        if (uri.getRawQuery() != null) path += "?" + uri.getRawQuery();
        boolean defaultPort = t.port == (t.tls ? 443 : 80);
        StringBuilder sb = new StringBuilder(256);
        sb.append(method).append(' ').append(path).append(" HTTP/1.1\r\n");
        sb.append("Host: ").append(t.host).append(defaultPort ? "" : ":" + t.port).append("\r\n");
        sb.append("User-Agent: ").append(userAgent).append("\r\n");
        sb.append("Accept-Encoding: identity\r\nConnection: close\r\n");
        for (Map.Entry<String, String> h : headers.entrySet()) {
            sb.append(clean(h.getKey())).append(": ").append(clean(h.getValue())).append("\r\n");
        }
        if (body != null) sb.append("Content-Length: ").append(body.length).append("\r\n");
        return sb.append("\r\n").toString();
    }

    private static String clean(String s) {
        return s.replace("\r", "").replace("\n", "");
    }

    private static boolean isIpLiteral(String host) {
        return host.indexOf(':') >= 0 || host.matches("[0-9.]+");
    }

    static long remainingMillis(long deadlineNanos) throws SocketTimeoutException {
        long left = (deadlineNanos - System.nanoTime()) / 1_000_000;
        if (left <= 0) throw new SocketTimeoutException("timed out");
        return Math.min(left, Integer.MAX_VALUE);
    }

    private static void closeQuietly(Closeable c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // nothing to do
        }
    }

    /** A checked destination; {@code address} is the one connected to. */
    public static final class Target {
        final String host;
        final String bareHost;
        final List<InetAddress> addresses;
        final int port;
        final boolean tls;
        volatile InetAddress address;

        Target(String host, String bareHost, List<InetAddress> addresses, int port, boolean tls, InetAddress address) {
            this.host = host;
            this.bareHost = bareHost;
            this.addresses = addresses;
            this.port = port;
            this.tls = tls;
            this.address = address;
        }
    }

    /** One request's response: status, headers, and a body stream bounded by its framing and the deadline. */
    public static final class Exchange implements Closeable {
        private final URI uri;
        private final InetAddress address;
        private final Socket socket;
        private final long deadlineNanos;
        private final InputStream raw;
        private int status;
        private final Map<String, String> headers = new LinkedHashMap<>();
        private InputStream body;

        Exchange(URI uri, InetAddress address, Socket socket, long deadlineNanos) throws IOException {
            this.uri = uri;
            this.address = address;
            this.socket = socket;
            this.deadlineNanos = deadlineNanos;
            this.raw = new BufferedInputStream(new DeadlineInputStream(socket, deadlineNanos), 16 * 1024);
        }

        void readHead(String method) throws IOException {
            do {
                headers.clear();
                String statusLine = readLine(raw);
                String[] parts = statusLine.split(" ", 3);
                if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
                    throw new IOException("not an HTTP/1.x response from " + uri.getHost());
                }
                try {
                    status = Integer.parseInt(parts[1]);
                } catch (NumberFormatException e) {
                    throw new IOException("bad HTTP status line from " + uri.getHost());
                }
                for (int i = 0; ; i++) {
                    if (i > MAX_HEADERS) throw new IOException("too many response headers from " + uri.getHost());
                    String line = readLine(raw);
                    if (line.isEmpty()) break;
                    int colon = line.indexOf(':');
                    if (colon <= 0) continue;
                    String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
                    String value = line.substring(colon + 1).trim();
                    headers.merge(name, value, (a, b) -> a + ", " + b);
                }
            } while (status >= 100 && status < 200);
            String te = headers.getOrDefault("transfer-encoding", "").toLowerCase(Locale.ROOT);
            if (method.equals("HEAD") || status == 204 || status == 304) {
                body = InputStream.nullInputStream();
            } else if (te.contains("chunked")) {
                body = new ChunkedInputStream(raw);
            } else if (headers.containsKey("content-length")) {
                long n = contentLength();
                if (n < 0) throw new IOException("bad Content-Length from " + uri.getHost());
                body = new LimitedInputStream(raw, n);
            } else {
                body = raw;
            }
        }

        public int status() {
            return status;
        }

        /** A response header (name in any case), or null. */
        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        /** The declared length, or -1 when unknown. */
        public long contentLength() {
            String v = headers.get("content-length");
            if (v == null || headers.getOrDefault("transfer-encoding", "").toLowerCase(Locale.ROOT).contains("chunked")) {
                return -1;
            }
            try {
                return Long.parseLong(v.trim());
            } catch (NumberFormatException e) {
                return -2;
            }
        }

        public InputStream body() {
            return body;
        }

        public URI uri() {
            return uri;
        }

        /** The address actually connected to (checked). */
        public InetAddress address() {
            return address;
        }

        public long deadlineNanos() {
            return deadlineNanos;
        }

        @Override
        public void close() {
            closeQuietly(socket);
        }
    }

    static String readLine(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder(64);
        int c;
        while ((c = in.read()) != -1) {
            if (c == '\n') {
                int n = sb.length();
                if (n > 0 && sb.charAt(n - 1) == '\r') sb.setLength(n - 1);
                return sb.toString();
            }
            if (sb.length() >= MAX_HEADER_LINE) throw new IOException("response header line too long");
            sb.append((char) c);
        }
        throw new IOException("connection closed in the response head");
    }

    /** Sets the socket's read timeout to what is left of the deadline before every read. */
    private static final class DeadlineInputStream extends InputStream {
        private final Socket socket;
        private final InputStream in;
        private final long deadlineNanos;

        DeadlineInputStream(Socket socket, long deadlineNanos) throws IOException {
            this.socket = socket;
            this.in = socket.getInputStream();
            this.deadlineNanos = deadlineNanos;
        }

        @Override
        public int read() throws IOException {
            socket.setSoTimeout((int) remainingMillis(deadlineNanos));
            return in.read();
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            socket.setSoTimeout((int) remainingMillis(deadlineNanos));
            return in.read(b, off, len);
        }
    }

    /** A body decoder: only bulk reads are written; single-byte reads go through them. */
    private abstract static class BodyInputStream extends InputStream {
        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) == -1 ? -1 : one[0] & 0xff;
        }
    }

    /** Exactly {@code remaining} bytes, then end of stream; a shorter body is an error. */
    private static final class LimitedInputStream extends BodyInputStream {
        private final InputStream in;
        private long remaining;

        LimitedInputStream(InputStream in, long length) {
            this.in = in;
            this.remaining = length;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (remaining == 0) return -1;
            int n = in.read(b, off, (int) Math.min(len, remaining));
            if (n == -1) throw new IOException("connection closed before the end of the body");
            remaining -= n;
            return n;
        }
    }

    /** Transfer-Encoding: chunked. */
    private static final class ChunkedInputStream extends BodyInputStream {
        private final InputStream in;
        private long chunkLeft;
        private boolean done;

        ChunkedInputStream(InputStream in) {
            this.in = in;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (done) return -1;
            if (chunkLeft == 0) {
                String line = readLine(in);
                int semi = line.indexOf(';');
                String hex = (semi >= 0 ? line.substring(0, semi) : line).trim();
                try {
                    chunkLeft = Long.parseLong(hex, 16);
                } catch (NumberFormatException e) {
                    throw new IOException("bad chunk size in the response");
                }
                if (chunkLeft < 0) throw new IOException("bad chunk size in the response");
                if (chunkLeft == 0) {
                    while (!readLine(in).isEmpty()) {
                        // trailers are ignored
                    }
                    done = true;
                    return -1;
                }
            }
            int n = in.read(b, off, (int) Math.min(len, chunkLeft));
            if (n == -1) throw new IOException("connection closed inside a chunk");
            chunkLeft -= n;
            if (chunkLeft == 0) readLine(in);
            return n;
        }
    }
}
