package org.streamasr.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Inline audio at the configured limits: a data: URI past Jackson's 20 MB string default is transcribed when the
 * body is under max-request-body, the decoded audio is kept as a file only while its request runs, and the bytes
 * of request bodies read at once are bounded by the body budget (503 with Retry-After past it).
 */
class HostedApiInlineAudioTest {
    @TempDir
    Path dir;
    private final CountingEngine engine = new CountingEngine();
    private ApiServer server;

    @AfterEach
    void stop() {
        engine.gate.countDown();
        if (server != null) server.close();
        assertEquals(0, engine.open.get(), "engine streams left open");
    }

    @Test
    void aDataUriOverJacksonsStringDefaultIsTranscribedUnderTheConfiguredBodyLimit() throws Exception {
        server = new ApiServer(engine, dir, "");   // the defaults: 32 MiB bodies, 90 MiB of audio
        double seconds = 630;                      // 20.2 MB of WAV: a 26.9 MB data URI, in a body under 32 MiB
        String uri = ApiServer.toneDataUri(seconds);
        assertTrue(uri.length() > 20_000_000 && uri.length() < 32 * 1024 * 1024, "length " + uri.length());
        HttpResponse<String> r = server.post(ApiServer.MODEL, ApiServer.input(uri));
        assertEquals(200, r.statusCode(), r.body().length() > 400 ? r.body().substring(0, 400) : r.body());
        assertEquals((int) seconds, ApiServer.json(r).get("output").asText().split(" ").length);
        try (Stream<Path> files = Files.list(dir.resolve("uploads"))) {
            assertEquals(0, files.count(), "the inline audio is deleted once its request ran");
        }
        try (Stream<Path> files = Files.list(dir.resolve("tmp"))) {
            assertEquals(0, files.count(), "the spilled body is deleted once parsed");
        }
    }

    @Test
    void aQueuedLargeDataUriWaitsAsAFileAndRunsAfterARestart() throws Exception {
        server = new ApiServer(engine, dir, "asr.api.grace-period = 0s\n");
        engine.gate = new java.util.concurrent.CountDownLatch(1);
        // two small requests hold the two workers; the large one (escaped slashes and all) waits in the queue
        String a = server.submit(ApiServer.input(ApiServer.toneDataUri(1)));
        String b = server.submit(ApiServer.input(ApiServer.toneDataUri(1)));
        String queued = server.submit("{\"audio_url\": \"" + ApiServer.toneDataUri(3).replace("/", "\\/")
                + "\", \"language\": \"en-US\"}");
        try (Stream<Path> files = Files.list(dir.resolve("uploads"))) {
            assertEquals(1, files.count(), "the large data URI is kept as one inline upload");
        }
        engine.atGate.await();
        server.restart();
        engine.gate.countDown();
        server.awaitCompleted(queued);
        HttpResponse<String> result = server.get(ApiServer.QUEUE + "/requests/" + queued);
        assertEquals("one two three", ApiServer.json(result).get("output").asText(), result.body());
        server.awaitCompleted(a);
        server.awaitCompleted(b);
        try (Stream<Path> files = Files.list(dir.resolve("uploads"))) {
            assertEquals(0, files.count(), "and deleted once it ran");
        }
    }

    @Test
    void bodiesPastTheBudgetAre503WithRetryAfterAndTheBudgetComesBack() throws Exception {
        server = new ApiServer(engine, dir, "asr.api.limits.max-request-body = 256KiB\n"
                + "asr.api.limits.body-budget = 300KiB\n");
        String body = ApiServer.input(ApiServer.toneDataUri(6));   // 256 KB of audio: a body of about 256 KB
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        assertTrue(bytes.length > 200 * 1024 && bytes.length < 256 * 1024, "length " + bytes.length);
        try (Socket slow = new Socket("127.0.0.1", server.port())) {
            // a client that declared its body and sent half of it holds its share of the budget
            OutputStream out = slow.getOutputStream();
            out.write(("POST " + ApiServer.MODEL + " HTTP/1.1\r\nHost: x\r\nAuthorization: Key " + ApiServer.KEY
                    + "\r\nContent-Type: application/json\r\nContent-Length: " + bytes.length + "\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.write(bytes, 0, bytes.length / 2);
            out.flush();
            ApiServer.await("the slow body's claim on the budget", java.time.Duration.ofSeconds(30),
                    () -> server.metric("asr_api_body_budget_used_bytes") >= bytes.length);
            String refused = awaitRefusal(bytes);
            assertTrue(refused.startsWith("HTTP/1.1 503"), refused);
            assertTrue(refused.contains("\r\nRetry-After: 1\r\n"), refused);
            assertTrue(refused.contains("asr.api.limits.body-budget"), refused);
            assertEquals(1.0, server.metric("asr_api_requests_rejected_total", "reason", "body_budget"));

            out.write(bytes, bytes.length / 2, bytes.length - bytes.length / 2);
            out.flush();
            InputStream in = slow.getInputStream();
            String head = new String(in.readNBytes(12), StandardCharsets.ISO_8859_1);
            assertEquals("HTTP/1.1 200", head);
        }
        HttpResponse<String> ok = server.post(ApiServer.MODEL, body);
        assertEquals(200, ok.statusCode(), "the budget was given back: " + ok.body());
    }

    /** Posts {@code body} from another client until it is refused (once the slow client's claim is in place). */
    private String awaitRefusal(byte[] body) throws Exception {
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(10).toNanos();
        while (true) {
            String answer = rawPost(body);
            if (answer.startsWith("HTTP/1.1 503") || System.nanoTime() > deadline) return answer;
            Thread.sleep(20);
        }
    }

    /** A POST of {@code body} over a plain socket; the answer as text (the server may answer before reading it all). */
    private String rawPost(byte[] body) throws Exception {
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(("POST " + ApiServer.MODEL + " HTTP/1.1\r\nHost: x\r\nAuthorization: Key " + ApiServer.KEY
                    + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            try {
                out.write(body);
                out.flush();
            } catch (java.io.IOException answeredEarly) {
                // the server answered and closed without reading the body: the answer is still there to read
            }
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }
}
