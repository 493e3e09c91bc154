package org.streamasr.api.fetch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The fetcher against a real local HTTP server, with the real address checks. */
class AudioFetcherTest {
    @TempDir
    Path tmp;
    HttpServer origin;
    final AtomicInteger hits = new AtomicInteger();
    final CountDownLatch release = new CountDownLatch(1);
    final byte[] audio = new byte[50_000];

    @BeforeEach
    void startOrigin() throws Exception {
        for (int i = 0; i < audio.length; i++) audio[i] = (byte) (i * 31);
        origin = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        origin.createContext("/", ex -> {
            hits.incrementAndGet();
            String p = ex.getRequestURI().getPath();
            switch (p) {
                case "/audio.wav":
                    ex.sendResponseHeaders(200, audio.length);
                    try (OutputStream o = ex.getResponseBody()) {
                        o.write(audio);
                    }
                    break;
                case "/chunked":
                    ex.sendResponseHeaders(200, 0);
                    try (OutputStream o = ex.getResponseBody()) {
                        for (int i = 0; i < audio.length; i += 7_000) o.write(audio, i, Math.min(7_000, audio.length - i));
                    }
                    break;
                case "/redirect":
                    ex.getResponseHeaders().add("Location", "/audio.wav");
                    ex.sendResponseHeaders(302, -1);
                    break;
                case "/to-metadata":
                    ex.getResponseHeaders().add("Location", "http://169.254.169.254/latest/meta-data/");
                    ex.sendResponseHeaders(301, -1);
                    break;
                case "/to-mapped-loopback":
                    ex.getResponseHeaders().add("Location", "http://[::ffff:127.0.0.1]:" + port() + "/audio.wav");
                    ex.sendResponseHeaders(307, -1);
                    break;
                case "/loop":
                    ex.getResponseHeaders().add("Location", "/loop");
                    ex.sendResponseHeaders(302, -1);
                    break;
                case "/stall":
                    ex.sendResponseHeaders(200, audio.length);
                    try {
                        release.await(20, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    ex.close();
                    break;
                default:
                    ex.sendResponseHeaders(404, -1);
                    ex.close();
            }
        });
        origin.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        origin.start();
    }

    @AfterEach
    void stopOrigin() {
        release.countDown();
        origin.stop(0);
        ((java.util.concurrent.ExecutorService) origin.getExecutor()).shutdownNow();
    }

    int port() {
        return origin.getAddress().getPort();
    }

    AudioFetcher fetcher(boolean allowPrivate, long maxBytes, Duration timeout) throws Exception {
        PinnedHttpClient http = new PinnedHttpClient(new AddressPolicy(allowPrivate), Duration.ofSeconds(2),
                SSLContext.getDefault(), "test");
        return new AudioFetcher(http, uri -> null, maxBytes, timeout, 3, tmp);
    }

    byte[] fetch(AudioFetcher f, String url) throws Exception {
        AudioFetcher.Fetched got = f.fetch(url, c -> { });
        byte[] b = Files.readAllBytes(got.file());
        if (got.temporary()) Files.delete(got.file());
        return b;
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://127.0.0.1:%d/audio.wav", "http://localhost:%d/audio.wav", "http://[::1]:%d/audio.wav",
            "http://[::ffff:127.0.0.1]:%d/audio.wav", "http://0.0.0.0:%d/audio.wav", "http://127.1:%d/audio.wav",
            "http://169.254.169.254/latest/meta-data/", "http://[fd00:ec2::254]/latest/meta-data/",
            "http://10.0.0.1/a.wav", "http://100.64.0.1/a.wav", "http://[fe80::1]/a.wav", "http://224.0.0.1/a.wav"})
    void refusesNonPublicAddressesWithoutConnecting(String template) throws Exception {
        FetchException e = assertThrows(FetchException.class,
                () -> fetch(fetcher(false, 1 << 20, Duration.ofSeconds(5)), String.format(template, port())));
        assertEquals(FetchException.Kind.REFUSED, e.kind(), e.getMessage());
        assertTrue(e.getMessage().startsWith("refusing to connect to") || e.getMessage().equals("the URL has no host"),
                e.getMessage());
        assertEquals(0, hits.get(), "nothing may reach the origin");
    }

    @ParameterizedTest
    @ValueSource(strings = {"file:///etc/passwd", "ftp://example.com/a.wav", "gopher://x/", "http://user:pw@example.com/a"})
    void refusesOtherSchemesAndCredentials(String url) {
        FetchException e = assertThrows(FetchException.class, () -> AudioFetcher.precheck(url));
        assertEquals(FetchException.Kind.REFUSED, e.kind());
        assertThrows(FetchException.class, () -> fetch(fetcher(true, 1 << 20, Duration.ofSeconds(5)), url));
    }

    @Test
    void downloadsWithLengthOrChunkedAndFollowsRedirects() throws Exception {
        AudioFetcher f = fetcher(true, 1 << 20, Duration.ofSeconds(10));
        assertArrayEquals(audio, fetch(f, "http://127.0.0.1:" + port() + "/audio.wav"));
        assertArrayEquals(audio, fetch(f, "http://localhost:" + port() + "/chunked"));
        assertArrayEquals(audio, fetch(f, "http://127.0.0.1:" + port() + "/redirect"));
    }

    @Test
    void everyRedirectHopIsCheckedAgain() throws Exception {
        AudioFetcher lenient = fetcher(true, 1 << 20, Duration.ofSeconds(10));
        FetchException meta = assertThrows(FetchException.class,
                () -> fetch(lenient, "http://127.0.0.1:" + port() + "/to-metadata"));
        assertEquals(FetchException.Kind.REFUSED, meta.kind());
        assertTrue(meta.getMessage().contains("169.254.169.254 is a cloud metadata address"), meta.getMessage());
        FetchException loop = assertThrows(FetchException.class, () -> fetch(lenient, "http://127.0.0.1:" + port() + "/loop"));
        assertTrue(loop.getMessage().contains("more than 3 redirects"), loop.getMessage());
    }

    @Test
    void sizeLimitHoldsForDeclaredAndChunkedBodies() throws Exception {
        AudioFetcher small = fetcher(true, 10_000, Duration.ofSeconds(10));
        assertEquals(FetchException.Kind.TOO_LARGE, assertThrows(FetchException.class,
                () -> fetch(small, "http://127.0.0.1:" + port() + "/audio.wav")).kind());
        assertEquals(FetchException.Kind.TOO_LARGE, assertThrows(FetchException.class,
                () -> fetch(small, "http://127.0.0.1:" + port() + "/chunked")).kind());
        try (var files = Files.list(tmp)) {
            assertEquals(0, files.count(), "partial downloads are deleted");
        }
    }

    @Test
    void statusErrorsAndTimeoutsAreDownloadFailures() throws Exception {
        FetchException notFound = assertThrows(FetchException.class,
                () -> fetch(fetcher(true, 1 << 20, Duration.ofSeconds(5)), "http://127.0.0.1:" + port() + "/missing"));
        assertEquals(FetchException.Kind.DOWNLOAD_FAILED, notFound.kind());
        assertTrue(notFound.getMessage().contains("HTTP 404"), notFound.getMessage());
        FetchException slow = assertThrows(FetchException.class,
                () -> fetch(fetcher(true, 1 << 20, Duration.ofMillis(500)), "http://127.0.0.1:" + port() + "/stall"));
        assertEquals(FetchException.Kind.DOWNLOAD_FAILED, slow.kind());
        assertTrue(slow.getMessage().contains("timed out"), slow.getMessage());
    }

    @Test
    void aCancelClosesTheConnection() throws Exception {
        AudioFetcher f = fetcher(true, 1 << 20, Duration.ofSeconds(20));
        java.util.concurrent.atomic.AtomicReference<java.io.Closeable> open = new java.util.concurrent.atomic.AtomicReference<>();
        Thread canceller = new Thread(() -> {
            try {
                while (hits.get() == 0) Thread.sleep(10);
                java.io.Closeable c;
                while ((c = open.get()) == null) Thread.sleep(10);
                c.close();
            } catch (Exception ignored) {
                // the test fails on the fetch below if this did not work
            }
        }, "test-canceller");
        canceller.start();
        long t0 = System.nanoTime();
        assertThrows(FetchException.class, () -> f.fetch("http://127.0.0.1:" + port() + "/stall", c -> {
            if (c != null) open.set(c);
        }));
        assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(10).toNanos());
        canceller.join();
    }

    /** TLS to a pinned address still checks the certificate against the URL's host name. */
    @Test
    void httpsVerifiesTheHostNameOfThePinnedAddress() throws Exception {
        Path ks = tmp.resolve("server.p12");
        Process keytool = new ProcessBuilder("keytool", "-genkeypair", "-alias", "s", "-keyalg", "EC", "-dname", "CN=localhost",
                "-ext", "SAN=dns:localhost", "-validity", "2", "-keystore", ks.toString(), "-storetype", "PKCS12",
                "-storepass", "secret", "-keypass", "secret").redirectErrorStream(true).start();
        keytool.getInputStream().readAllBytes();
        assertTrue(keytool.waitFor(60, TimeUnit.SECONDS) && keytool.exitValue() == 0, "keytool failed");
        java.security.KeyStore store = java.security.KeyStore.getInstance("PKCS12");
        try (var in = Files.newInputStream(ks)) {
            store.load(in, "secret".toCharArray());
        }
        javax.net.ssl.KeyManagerFactory kmf = javax.net.ssl.KeyManagerFactory.getInstance("PKIX");
        kmf.init(store, "secret".toCharArray());
        javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance("PKIX");
        tmf.init(store);
        SSLContext serverSsl = SSLContext.getInstance("TLS");
        serverSsl.init(kmf.getKeyManagers(), null, null);
        SSLContext clientSsl = SSLContext.getInstance("TLS");
        clientSsl.init(null, tmf.getTrustManagers(), null);

        com.sun.net.httpserver.HttpsServer tls = com.sun.net.httpserver.HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        tls.setHttpsConfigurator(new com.sun.net.httpserver.HttpsConfigurator(serverSsl));
        tls.createContext("/a.wav", ex -> {
            ex.sendResponseHeaders(200, audio.length);
            try (OutputStream o = ex.getResponseBody()) {
                o.write(audio);
            }
        });
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newCachedThreadPool();
        tls.setExecutor(pool);
        tls.start();
        try {
            int p = tls.getAddress().getPort();
            AudioFetcher f = new AudioFetcher(new PinnedHttpClient(new AddressPolicy(true), Duration.ofSeconds(5), clientSsl,
                    "test"), uri -> null, 1 << 20, Duration.ofSeconds(20), 3, tmp);
            assertArrayEquals(audio, fetch(f, "https://localhost:" + p + "/a.wav"));
            FetchException wrongName = assertThrows(FetchException.class, () -> fetch(f, "https://127.0.0.1:" + p + "/a.wav"));
            assertEquals(FetchException.Kind.DOWNLOAD_FAILED, wrongName.kind(), wrongName.getMessage());
        } finally {
            tls.stop(0);
            pool.shutdownNow();
        }
    }

    @Test
    void dataUris() throws Exception {
        AudioFetcher f = fetcher(false, 60_000, Duration.ofSeconds(5));
        assertArrayEquals(audio, fetch(f, "data:audio/wav;base64," + Base64.getEncoder().encodeToString(audio)));
        assertArrayEquals("hi there".getBytes(), fetch(f, "data:text/plain,hi%20there"));
        assertEquals(FetchException.Kind.BAD_DATA_URI, assertThrows(FetchException.class,
                () -> fetch(f, "data:audio/wav;base64,@@@@")).kind());
        assertEquals(FetchException.Kind.TOO_LARGE, assertThrows(FetchException.class,
                () -> fetch(f, "data:audio/wav;base64," + Base64.getEncoder().encodeToString(new byte[70_000]))).kind());
        assertFalse(hits.get() > 0);
    }
}
