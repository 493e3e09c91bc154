package org.streamasr.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** fal's storage flow: initiate, PUT to the upload URL, use the file URL as audio_url. */
class HostedApiUploadTest {
    @TempDir
    Path dir;
    CountingEngine engine = new CountingEngine();
    ApiServer server;

    @AfterEach
    void stop() {
        if (server != null) server.close();
    }

    JsonNode initiate(String... headers) throws Exception {
        HttpResponse<String> r = server.post("/storage/upload/initiate",
                "{\"content_type\": \"audio/wav\", \"file_name\": \"../my tone.wav\"}", headers);
        assertEquals(200, r.statusCode(), r.body());
        return ApiServer.json(r);
    }

    HttpResponse<String> put(String url, byte[] bytes) throws Exception {
        return server.http.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "audio/wav")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(bytes)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void anUploadedFileIsServedAndWorksAsAudioUrlWithoutAFetch() throws Exception {
        // private addresses refused: the file URL (on 127.0.0.1) must resolve locally, never through HTTP
        server = new ApiServer(engine, dir, "asr.api.fetch.allow-private-addresses = false");
        JsonNode slot = initiate();
        String uploadUrl = slot.get("upload_url").asText();
        String fileUrl = slot.get("file_url").asText();
        assertTrue(uploadUrl.startsWith(server.base() + "/storage/upload/"), uploadUrl);
        assertTrue(fileUrl.startsWith(server.base() + "/storage/files/") && fileUrl.endsWith("/my_tone.wav"), fileUrl);

        byte[] wav = ApiServer.tone(2).toBytes();
        HttpResponse<String> up = put(uploadUrl, wav);
        assertEquals(200, up.statusCode(), up.body());
        assertEquals(fileUrl, ApiServer.json(up).get("file_url").asText());
        assertEquals(404, put(uploadUrl, wav).statusCode(), "an upload URL works once");

        HttpResponse<byte[]> got = server.http.send(HttpRequest.newBuilder(URI.create(fileUrl)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, got.statusCode());
        assertArrayEquals(wav, got.body());
        assertEquals("audio/wav", got.headers().firstValue("Content-Type").orElse(""));

        HttpResponse<String> r = server.post(ApiServer.MODEL, ApiServer.input(fileUrl));
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("one two", ApiServer.json(r).get("output").asText());
        assertEquals(0.0, server.metric("asr_api_urls_refused_total"));
        assertEquals(wav.length, server.metric("asr_api_upload_bytes_total"));
    }

    @Test
    void initiatingNeedsAKeyButTheUploadUrlDoesNot() throws Exception {
        server = new ApiServer(engine, dir, "");
        HttpResponse<String> r = server.post("/storage/upload/initiate", "{}", "Authorization", "Key wrong");
        assertEquals(401, r.statusCode(), r.body());
    }

    @Test
    void sizeLimitAndNoMultipart() throws Exception {
        server = new ApiServer(engine, dir, "asr.api.limits.max-audio-bytes = 20000");
        JsonNode slot = initiate();
        HttpResponse<String> big = put(slot.get("upload_url").asText(), new byte[30_000]);
        assertEquals(413, big.statusCode(), big.body());
        String detail = ApiServer.json(big).get("detail").asText();
        assertTrue(detail.contains("20000 bytes") && detail.contains("asr.api.limits.max-audio-bytes"),
                "the 413 names the setting that was exceeded, with its value: " + detail);
        HttpResponse<String> ok = put(slot.get("upload_url").asText(), ApiServer.tone(0.5).toBytes());
        assertEquals(200, ok.statusCode(), "a failed upload can be retried while the URL is valid: " + ok.body());
        HttpResponse<String> multi = server.post("/storage/upload/initiate-multipart", "{}");
        assertEquals(413, multi.statusCode(), multi.body());
        assertTrue(multi.body().contains("multipart"), multi.body());
    }

    @Test
    void filesExpire() throws Exception {
        server = new ApiServer(engine, dir, "asr.api.uploads.ttl = 24h");
        JsonNode longLived = initiate();
        JsonNode shortLived = initiate("X-Fal-Object-Lifecycle", "{\"expiration_duration_seconds\": 60}");
        assertEquals(200, put(longLived.get("upload_url").asText(), ApiServer.tone(1).toBytes()).statusCode());
        assertEquals(200, put(shortLived.get("upload_url").asText(), ApiServer.tone(1).toBytes()).statusCode());

        server.skewMillis.set(Duration.ofMinutes(2).toMillis());
        assertEquals(404, server.get(shortLived.get("file_url").asText()).statusCode());
        assertEquals(200, server.get(longLived.get("file_url").asText()).statusCode());
        HttpResponse<String> r = server.post(ApiServer.MODEL, ApiServer.input(shortLived.get("file_url").asText()));
        assertTrue(r.statusCode() == 422, "an expired file URL is an ordinary (here refused) URL: " + r.body());

        server.skewMillis.set(Duration.ofHours(25).toMillis());
        server.api.sweepNow();
        assertEquals(404, server.get(longLived.get("file_url").asText()).statusCode());
        try (var files = Files.list(dir.resolve("uploads"))) {
            assertEquals(0, files.count(), "expired files are deleted from disk");
        }
    }
}
