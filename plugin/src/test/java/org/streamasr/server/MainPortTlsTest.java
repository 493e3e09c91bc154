package org.streamasr.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streamasr.testing.RequiredTools;
import org.streamasr.testing.ScriptedEngine;
import org.streamasr.testing.TestServers;

/** asr.server.tls.cert/.key: the main port serves https (and so wss) with a self-signed certificate from openssl. */
public class MainPortTlsTest {
    /** The trusting clients' threads: the JDK's own worker pool would outlive the test (LeakCheckExtension). */
    private static final java.util.concurrent.ExecutorService CLIENT_POOL =
            java.util.concurrent.Executors.newCachedThreadPool(r -> new Thread(r, "test-https"));

    @org.junit.jupiter.api.AfterAll
    static void stopClients() throws InterruptedException {
        CLIENT_POOL.shutdownNow();
        CLIENT_POOL.awaitTermination(5, java.util.concurrent.TimeUnit.SECONDS);
    }

    @TempDir
    Path dir;

    /** A self-signed certificate for 127.0.0.1 and localhost; {@code rsaTraditional} writes the key as PKCS#1. */
    public static Path[] selfSigned(Path dir, boolean rsaTraditional) throws Exception {
        RequiredTools.command("openssl");
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        run(dir, "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key.toString(), "-out",
                cert.toString(), "-days", "2", "-subj", "/CN=localhost",
                "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost");
        if (rsaTraditional) {
            Path pkcs1 = dir.resolve("key-rsa.pem");
            run(dir, "openssl", "rsa", "-in", key.toString(), "-out", pkcs1.toString(), "-traditional");
            assertTrue(Files.readString(pkcs1).contains("BEGIN RSA PRIVATE KEY"));
            key = pkcs1;
        }
        return new Path[] {cert, key};
    }

    public static void run(Path dir, String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "openssl timed out");
        assertEquals(0, p.exitValue(), out);
    }

    /** An HttpClient that trusts exactly {@code cert}. */
    static HttpClient trusting(Path cert) throws Exception {
        Certificate c = CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(Files.readAllBytes(cert)));
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setCertificateEntry("server", c);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return HttpClient.newBuilder().sslContext(ctx).executor(CLIENT_POOL).build();
    }

    @Test
    void thePortServesHttpsWithAPkcs8OrAnRsaKey() throws Exception {
        for (boolean traditional : List.of(false, true)) {
            Path sub = Files.createDirectories(dir.resolve(traditional ? "rsa" : "pkcs8"));
            Path[] pem = selfSigned(sub, traditional);
            try (AsrServer server = AsrServer.start(TestServers.config(Map.of(
                    "asr.server.tls.cert", pem[0].toString(), "asr.server.tls.key", pem[1].toString())),
                    new ScriptedEngine(), false)) {
                assertEquals("https", server.baseUri().getScheme());
                URI health = URI.create("https://127.0.0.1:" + server.port() + "/health");
                HttpResponse<String> r = trusting(pem[0]).send(HttpRequest.newBuilder(health).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(200, r.statusCode(), r.body());
                // plain HTTP on the TLS port gets no answer a client could take for one
                assertThrows(java.io.IOException.class, () -> HttpClient.newBuilder().executor(CLIENT_POOL).build().send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/health"))
                                .timeout(java.time.Duration.ofSeconds(10)).build(),
                        HttpResponse.BodyHandlers.ofString()));
            }
        }
    }

    @Test
    void halfATlsConfigurationOrABadKeyIsRefusedNamingTheKey() throws Exception {
        Path[] pem = selfSigned(dir, false);
        InvalidConfigException half = assertThrows(InvalidConfigException.class, () -> AsrServer.start(
                TestServers.config(Map.of("asr.server.tls.cert", pem[0].toString())), new ScriptedEngine(), false));
        assertTrue(half.getMessage().startsWith("asr.server.tls.key:"), half.getMessage());
        InvalidConfigException swapped = assertThrows(InvalidConfigException.class, () -> AsrServer.start(
                TestServers.config(Map.of("asr.server.tls.cert", pem[1].toString(), "asr.server.tls.key",
                        pem[0].toString())), new ScriptedEngine(), false));
        assertTrue(swapped.getMessage().startsWith("asr.server.tls."), swapped.getMessage());
    }
}
