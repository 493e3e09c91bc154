package org.streamasr.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streamasr.media.wav.WavFile;

/**
 * The hosted API's size and time limits over HTTP: each oversized input is a 413 whose JSON error names the limit
 * (its setting and value), for the request body, an audio_url download (with and without a Content-Length), a data
 * URI, and audio that decodes to more than the longest duration allowed.
 */
class HostedApiLimitsTest {
    private static final long MAX_BODY = 256 * 1024;
    private static final long MAX_AUDIO = 32 * 1024;

    @TempDir
    Path dir;
    private final CountingEngine engine = new CountingEngine();
    private ApiServer server;
    private HttpServer origin;

    @BeforeEach
    void start() throws Exception {
        server = new ApiServer(engine, dir, "asr.api.limits.max-request-body = 256KiB\n"
                + "asr.api.limits.max-audio-bytes = 32KiB\n"
                + "asr.api.limits.max-audio-duration = 1s\n");
        origin = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        byte[] big = ApiServer.tone(1.5).toBytes();   // 48 KB: over max-audio-bytes
        origin.createContext("/with-length.wav", ex -> {
            ex.sendResponseHeaders(200, big.length);
            ex.getResponseBody().write(big);
            ex.close();
        });
        origin.createContext("/chunked.wav", ex -> {
            ex.sendResponseHeaders(200, 0);   // chunked: the size shows only while downloading
            for (int at = 0; at < big.length; at += 4096) ex.getResponseBody().write(big, at, Math.min(4096, big.length - at));
            ex.close();
        });
        origin.start();
    }

    @AfterEach
    void stop() {
        engine.gate.countDown();
        if (origin != null) origin.stop(0);
        server.close();
        assertEquals(0, engine.open.get(), "engine streams left open");
    }

    private String originUrl(String path) {
        return "http://127.0.0.1:" + origin.getAddress().getPort() + path;
    }

    /** A 413 with a fal-shaped JSON body; returns its message. */
    private static String assertTooLarge(HttpResponse<String> r, String field, String type) throws Exception {
        assertEquals(413, r.statusCode(), r.body());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"), r.headers().toString());
        JsonNode body = ApiServer.json(r);
        assertEquals(type, body.get("error_type").asText(), r.body());
        assertEquals(type, r.headers().firstValue("X-Fal-Error-Type").orElse(null));
        if (field == null) return body.get("detail").asText();
        JsonNode detail = body.get("detail").get(0);
        assertEquals("[\"body\",\"" + field + "\"]", detail.get("loc").toString());
        assertEquals(type, detail.get("type").asText());
        return detail.get("msg").asText();
    }

    @Test
    void aRequestBodyOverTheLimitIs413NamingIt() throws Exception {
        String padding = "x".repeat((int) MAX_BODY + 1);
        String message = assertTooLarge(server.post(ApiServer.MODEL,
                "{\"audio_url\": \"https://example.org/a.wav\", \"pad\": \"" + padding + "\"}"), null, "request_too_large");
        assertTrue(message.contains(MAX_BODY + " bytes") && message.contains("asr.api.limits.max-request-body"), message);
        assertEquals(0, engine.settings.size(), "nothing reached the engine");
    }

    @Test
    void anAudioUrlDownloadOverTheLimitIs413NamingIt() throws Exception {
        for (String path : new String[] {"/with-length.wav", "/chunked.wav"}) {
            String message = assertTooLarge(server.post(ApiServer.MODEL, ApiServer.input(originUrl(path))),
                    "audio_url", "file_too_large");
            assertTrue(message.contains(MAX_AUDIO + " bytes") && message.contains("asr.api.limits.max-audio-bytes"),
                    path + ": " + message);
        }
        // The queue reports the same error as the request's result.
        String id = server.submit(ApiServer.input(originUrl("/chunked.wav")));
        server.awaitCompleted(id);
        HttpResponse<String> result = server.get(ApiServer.QUEUE + "/requests/" + id);
        assertTrue(assertTooLarge(result, "audio_url", "file_too_large").contains("asr.api.limits.max-audio-bytes"));
        assertEquals(0, engine.settings.size());
    }

    @Test
    void aDataUriOverTheLimitIs413NamingIt() throws Exception {
        String uri = ApiServer.toneDataUri(1.5);   // 48 KB of audio in a 64 KB body: under the body limit
        assertTrue(uri.length() < MAX_BODY);
        String message = assertTooLarge(server.post(ApiServer.MODEL, ApiServer.input(uri)), "audio_url", "file_too_large");
        assertTrue(message.contains(MAX_AUDIO + " bytes") && message.contains("asr.api.limits.max-audio-bytes"), message);
        assertEquals(0, engine.settings.size());
    }

    @Test
    void audioLongerThanTheDurationLimitIs413NamingIt() throws Exception {
        // 1.5 s at 8 kHz is 24 KB, under the byte limit, and decodes to 1.5 s at 16 kHz: over the 1 s limit.
        short[] samples = new short[12_000];
        for (int i = 0; i < samples.length; i++) samples[i] = (short) (8000 * Math.sin(2 * Math.PI * 440 * i / 8000.0));
        String uri = "data:audio/wav;base64," + Base64.getEncoder().encodeToString(new WavFile(8000, 1, samples).toBytes());
        String message = assertTooLarge(server.post(ApiServer.MODEL, ApiServer.input(uri)), "audio_url",
                "audio_duration_too_long");
        assertTrue(message.contains("1 s") && message.contains("asr.api.limits.max-audio-duration"), message);
        assertEquals(0, engine.settings.size());

        // Just under the limit it is transcribed.
        HttpResponse<String> ok = server.post(ApiServer.MODEL, ApiServer.input(ApiServer.toneDataUri(0.9)));
        assertEquals(200, ok.statusCode(), ok.body());
    }
}
