package org.streamasr.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** POST .../asr/stream: server-sent events of the growing transcript. */
class HostedApiStreamTest {
    @TempDir
    Path dir;
    CountingEngine engine = new CountingEngine();
    ApiServer server;

    @AfterEach
    void stop() {
        engine.gate.countDown();
        if (server != null) server.close();
        assertEquals(0, engine.open.get(), "engine streams left open");
    }

    HttpResponse<InputStream> openStream(String input) throws Exception {
        HttpRequest req = HttpRequest.newBuilder(URI.create(server.base() + ApiServer.MODEL + "/stream"))
                .header("Authorization", "Key " + ApiServer.KEY).header("Accept", "text/event-stream")
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(input)).build();
        return server.http.send(req, HttpResponse.BodyHandlers.ofInputStream());
    }

    @Test
    void partialsThenTheFinal() throws Exception {
        server = new ApiServer(engine, dir, "");
        HttpResponse<InputStream> resp = openStream(ApiServer.input(ApiServer.toneDataUri(4)));
        assertEquals(200, resp.statusCode());
        assertTrue(resp.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"));
        assertTrue(resp.headers().firstValue("x-fal-request-id").isPresent());
        List<JsonNode> events = new ArrayList<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(resp.body(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                if (line.startsWith("data: ")) events.add(ApiServer.JSON.readTree(line.substring(6)));
            }
        }
        assertTrue(events.size() >= 2, events.toString());
        JsonNode last = events.get(events.size() - 1);
        assertEquals("one two three four", last.get("output").asText());
        assertFalse(last.get("partial").asBoolean());
        for (JsonNode e : events.subList(0, events.size() - 1)) {
            assertTrue(e.get("partial").asBoolean(), e.toString());
            assertTrue("one two three four".startsWith(e.get("output").asText()), e.toString());
        }
        assertEquals(1.0, server.metric("asr_api_requests_completed_total", "mode", "stream", "result", "ok"));
    }

    @Test
    void heartbeatsKeepAQuietStreamAlive() throws Exception {
        server = new ApiServer(engine, dir, "asr.api.streaming.heartbeat = 200ms");
        engine.gate = new CountDownLatch(1);
        HttpResponse<InputStream> resp = openStream(ApiServer.input(ApiServer.toneDataUri(1)));
        assertEquals(200, resp.statusCode());
        int comments = 0;
        String lastData = null;
        try (BufferedReader in = new BufferedReader(new InputStreamReader(resp.body(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                if (line.startsWith(":") && ++comments == 2) engine.gate.countDown();
                if (line.startsWith("data: ")) lastData = line;
            }
        }
        assertTrue(comments >= 2);
        assertEquals("data: {\"output\":\"one\",\"partial\":false}", lastData);
    }

    @Test
    void aClientThatLeavesCancelsItsRequest() throws Exception {
        server = new ApiServer(engine, dir, "");
        engine.gate = new CountDownLatch(1);
        String body = ApiServer.input(ApiServer.toneDataUri(3));
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            OutputStream out = s.getOutputStream();
            out.write(("POST " + ApiServer.MODEL + "/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Key "
                    + ApiServer.KEY + "\r\nAccept: text/event-stream\r\nContent-Type: application/json\r\nContent-Length: "
                    + body.length() + "\r\n\r\n" + body).getBytes(StandardCharsets.US_ASCII));
            out.flush();
            assertTrue(engine.atGate.await(10, TimeUnit.SECONDS), "the request reached the engine");
        }
        ApiServer.await("the request to be cancelled", Duration.ofSeconds(10),
                () -> server.metric("asr_api_requests_completed_total", "mode", "stream", "result", "cancelled") == 1);
        ApiServer.await("the engine stream to be closed", Duration.ofSeconds(10), () -> engine.open.get() == 0);
        ApiServer.await("the worker to be free", Duration.ofSeconds(10), () -> server.metric("asr_api_requests_running") == 0);
    }

    @Test
    void anEarlyFailureIsAPlainHttpError() throws Exception {
        server = new ApiServer(engine, dir, "");
        String junk = "data:audio/wav;base64," + java.util.Base64.getEncoder().encodeToString(new byte[400]);
        HttpResponse<InputStream> resp = openStream(ApiServer.input(junk));
        assertEquals(400, resp.statusCode());
        JsonNode err = ApiServer.JSON.readTree(resp.body().readAllBytes());
        assertEquals("audio_decode_error", err.get("detail").get(0).get("type").asText());
        HttpResponse<InputStream> invalid = openStream("{\"audio_url\": 5}");
        assertEquals(422, invalid.statusCode());
        invalid.body().close();
    }
}
