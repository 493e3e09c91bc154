package org.streamasr.api.fetch;

import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.StringReader;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Turns an {@code audio_url} into a local file: a {@code data:} URI is decoded, a URL of one of our own uploads is
 * served from the upload store without any HTTP, and an http(s) URL is downloaded through {@link PinnedHttpClient}
 * (every redirect hop checked again), with a size limit and a time limit.
 */
public final class AudioFetcher {

    /** Our own uploaded files: the stored file for a URL we handed out, or null when the URL is not one of ours. */
    public interface LocalFiles {
        Path resolve(URI uri) throws IOException;

        /** The request that used {@code uri} has run: a file kept only for it may go. */
        default void release(URI uri) {
        }
    }

    /**
     * @param file      the audio bytes
     * @param temporary whether the caller must delete {@code file} when done
     */
    public record Fetched(Path file, boolean temporary, long bytes, String source) {
    }

    private final PinnedHttpClient client;
    private final LocalFiles local;
    private final long maxBytes;
    private final Duration timeout;
    private final int maxRedirects;
    private final Path tempDir;

    public AudioFetcher(PinnedHttpClient client, LocalFiles local, long maxBytes, Duration timeout, int maxRedirects,
                        Path tempDir) {
        this.client = client;
        this.local = local;
        this.maxBytes = maxBytes;
        this.timeout = timeout;
        this.maxRedirects = maxRedirects;
        this.tempDir = tempDir;
    }

    /**
     * Fetches {@code audioUrl}. Blocking; run it on a worker thread.
     *
     * @param abortable receives each connection while it is open, so that a cancel can close it
     */
    public Fetched fetch(String audioUrl, Consumer<Closeable> abortable) throws FetchException, IOException {
        if (audioUrl.regionMatches(true, 0, "data:", 0, 5)) return decodeDataUri(audioUrl);
        URI uri = parse(audioUrl);
        Path own = local.resolve(uri);
        if (own != null) return new Fetched(own, false, Files.size(own), "upload");
        try {
            return download(uri, abortable);
        } finally {
            abortable.accept(null);
        }
    }

    /** The request that fetched {@code audioUrl} has run: drops what was kept only for it (inline audio). */
    public void release(String audioUrl) {
        if (audioUrl.regionMatches(true, 0, "data:", 0, 5)) return;
        try {
            local.release(parse(audioUrl));
        } catch (FetchException notOurs) {
            // not a URL of ours
        }
    }

    /** Syntax checks that need no network: used when a request is submitted so that it fails at once. */
    public static void precheck(String audioUrl) throws FetchException {
        if (audioUrl.regionMatches(true, 0, "data:", 0, 5)) {
            if (audioUrl.indexOf(',') < 0) throw new FetchException(FetchException.Kind.BAD_DATA_URI, "data: URI without ','");
            return;
        }
        URI uri = parse(audioUrl);
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new FetchException(FetchException.Kind.REFUSED,
                    "only http, https and data: URLs are accepted, not '" + scheme + ":'");
        }
        if (uri.getHost() == null) throw new FetchException(FetchException.Kind.REFUSED, "the URL has no host");
        if (uri.getRawUserInfo() != null) {
            throw new FetchException(FetchException.Kind.REFUSED, "URLs with credentials are not fetched");
        }
    }

    private static URI parse(String url) throws FetchException {
        try {
            URI uri = new URI(url.trim());
            if (!uri.isAbsolute()) throw new FetchException(FetchException.Kind.REFUSED, "not an absolute URL");
            return uri;
        } catch (URISyntaxException e) {
            throw new FetchException(FetchException.Kind.REFUSED, "not a valid URL: " + e.getReason());
        }
    }

    private Fetched download(URI first, Consumer<Closeable> abortable) throws FetchException, IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        URI uri = first;
        for (int hop = 0; ; hop++) {
            PinnedHttpClient.Exchange ex;
            try {
                ex = client.open(uri, "GET", Map.of("Accept", "audio/*, video/*, */*"), null, deadline, abortable);
            } catch (RefusedUrlException e) {
                throw new FetchException(FetchException.Kind.REFUSED, e.getMessage());
            } catch (UnknownHostException e) {
                throw new FetchException(FetchException.Kind.DOWNLOAD_FAILED, "unknown host " + uri.getHost());
            } catch (SocketTimeoutException e) {
                throw new FetchException(FetchException.Kind.DOWNLOAD_FAILED,
                        "download timed out after " + timeout.toSeconds() + " s");
            } catch (IOException e) {
                throw new FetchException(FetchException.Kind.DOWNLOAD_FAILED, "download failed: " + e.getMessage(), e);
            }
            try (ex) {
                int status = ex.status();
                if (status >= 300 && status < 400 && ex.header("location") != null) {
                    if (hop >= maxRedirects) {
                        throw new FetchException(FetchException.Kind.DOWNLOAD_FAILED,
                                "more than " + maxRedirects + " redirects");
                    }
                    uri = redirectTarget(uri, ex.header("location"));
                    continue;
                }
                if (status < 200 || status >= 300) {
                    throw new FetchException(FetchException.Kind.DOWNLOAD_FAILED,
                            "the server of audio_url answered HTTP " + status);
                }
                long declared = ex.contentLength();
                if (declared > maxBytes) throw tooLarge();
                Path file = copyLimited(ex.body());
                return new Fetched(file, true, Files.size(file), "download");
            } catch (SocketTimeoutException e) {
                throw new FetchException(FetchException.Kind.DOWNLOAD_FAILED,
                        "download timed out after " + timeout.toSeconds() + " s");
            } catch (IOException e) {
                throw new FetchException(FetchException.Kind.DOWNLOAD_FAILED, "download failed: " + e.getMessage(), e);
            }
        }
    }

    private static URI redirectTarget(URI base, String location) throws FetchException {
        try {
            return base.resolve(new URI(location.trim()));
        } catch (URISyntaxException | IllegalArgumentException e) {
            throw new FetchException(FetchException.Kind.DOWNLOAD_FAILED, "bad redirect location '" + location + "'");
        }
    }

    private Path copyLimited(InputStream in) throws IOException, FetchException {
        Path tmp = Files.createTempFile(tempDir, "audio-", ".bin");
        boolean ok = false;
        try (OutputStream out = Files.newOutputStream(tmp)) {
            byte[] buf = new byte[64 * 1024];
            long total = 0;
            int n;
            while ((n = in.read(buf)) != -1) {
                total += n;
                if (total > maxBytes) throw tooLarge();
                out.write(buf, 0, n);
            }
            ok = true;
            return tmp;
        } finally {
            if (!ok) Files.deleteIfExists(tmp);
        }
    }

    private Fetched decodeDataUri(String uri) throws FetchException, IOException {
        Path tmp = Files.createTempFile(tempDir, "audio-", ".bin");
        boolean ok = false;
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp), 64 * 1024)) {
            long bytes = DataUriDecoder.decode(new StringReader(uri), out, maxBytes);
            ok = true;
            return new Fetched(tmp, true, bytes, "data-uri");
        } finally {
            if (!ok) Files.deleteIfExists(tmp);
        }
    }

    private FetchException tooLarge() {
        return tooLarge(maxBytes);
    }

    /** The 413 of every audio input over {@code asr.api.limits.max-audio-bytes}. */
    public static FetchException tooLarge(long maxBytes) {
        return new FetchException(FetchException.Kind.TOO_LARGE,
                "audio input larger than the limit of " + maxBytes + " bytes (asr.api.limits.max-audio-bytes)");
    }
}
