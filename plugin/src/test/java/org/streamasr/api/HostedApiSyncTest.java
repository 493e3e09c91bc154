package org.streamasr.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streamasr.engine.Acceleration;

class HostedApiSyncTest {
    @TempDir
    Path dir;
    CountingEngine engine = new CountingEngine();
    ApiServer server;

    @BeforeEach
    void start() throws Exception {
        server = new ApiServer(engine, dir, "");
    }

    @AfterEach
    void stop() {
        engine.gate.countDown();
        server.close();
        assertEquals(0, engine.open.get(), "engine streams left open");
    }

    @Test
    void syncRequestReturnsTheFinalTranscript() throws Exception {
        HttpResponse<String> r = server.post(ApiServer.MODEL,
                "{\"audio_url\": \"" + ApiServer.toneDataUri(3) + "\", \"language\": \"de-de\", \"acceleration\": \"high\"}");
        assertEquals(200, r.statusCode(), r.body());
        JsonNode body = ApiServer.json(r);
        assertEquals("one two three", body.get("output").asText());
        assertFalse(body.get("partial").asBoolean());
        assertNotNull(r.headers().firstValue("x-fal-request-id").orElse(null));
        assertEquals("application/json;charset=utf-8", r.headers().firstValue("Content-Type").orElse(null));
        assertEquals("de-DE", engine.settings.get(0).language());
        assertEquals(Acceleration.HIGH, engine.settings.get(0).acceleration());
        assertFalse(engine.settings.get(0).live());
    }

    @Test
    void defaultsAreAutoAndRegular() throws Exception {
        HttpResponse<String> r = server.post(ApiServer.MODEL, ApiServer.input(ApiServer.toneDataUri(1)));
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("auto", engine.settings.get(0).language());
        assertEquals(Acceleration.REGULAR, engine.settings.get(0).acceleration());
    }

    @Test
    void badFieldsAreListedWithTheAllowedValues() throws Exception {
        HttpResponse<String> r = server.post(ApiServer.MODEL, "{\"language\": \"klingon\", \"acceleration\": \"ludicrous\"}");
        assertEquals(422, r.statusCode(), r.body());
        JsonNode detail = ApiServer.json(r).get("detail");
        assertEquals(3, detail.size(), r.body());
        assertEquals("[\"body\",\"audio_url\"]", detail.get(0).get("loc").toString());
        assertEquals("missing", detail.get(0).get("type").asText());
        assertEquals("[\"body\",\"language\"]", detail.get(1).get("loc").toString());
        assertTrue(detail.get(1).get("msg").asText().contains("'auto', 'en-US'"), r.body());
        assertTrue(detail.get(1).get("msg").asText().contains("'nn-NO'"), r.body());
        assertEquals("[\"body\",\"acceleration\"]", detail.get(2).get("loc").toString());
        assertEquals("Input should be 'none', 'regular', 'high' or 'full'", detail.get(2).get("msg").asText());
        assertFalse(r.body().contains("Exception"), r.body());
    }

    @Test
    void aLanguageTheEngineCannotServeIsRefusedWithWhatItServes() throws Exception {
        HttpResponse<String> r = server.post(ApiServer.MODEL,
                "{\"audio_url\": \"" + ApiServer.toneDataUri(1) + "\", \"language\": \"fr-FR\"}");
        assertEquals(422, r.statusCode(), r.body());
        JsonNode d = ApiServer.json(r).get("detail").get(0);
        assertEquals("unsupported_value", d.get("type").asText());
        assertEquals("[\"auto\",\"en-US\",\"de-DE\"]", d.get("ctx").get("allowed").toString());
    }

    @Test
    void undecodableAudioIs400WithTheDecodersMessage() throws Exception {
        String junk = "data:audio/wav;base64," + java.util.Base64.getEncoder().encodeToString(new byte[2000]);
        HttpResponse<String> r = server.post(ApiServer.MODEL, ApiServer.input(junk));
        assertEquals(400, r.statusCode(), r.body());
        JsonNode d = ApiServer.json(r).get("detail").get(0);
        assertEquals("audio_decode_error", d.get("type").asText());
        assertTrue(d.get("msg").asText().startsWith("cannot decode audio"), r.body());
        assertEquals("audio_decode_error", r.headers().firstValue("X-Fal-Error-Type").orElse(null));
    }

    @Test
    void invalidJsonIs422() throws Exception {
        HttpResponse<String> r = server.post(ApiServer.MODEL, "{not json");
        assertEquals(422, r.statusCode(), r.body());
        assertEquals("json_invalid", ApiServer.json(r).get("detail").get(0).get("type").asText());
    }

    @Test
    void withoutKeysTheApiRefusesAndSaysHowToConfigureThem() throws Exception {
        server.close();
        server = new ApiServer(engine, dir, "asr.api.keys = []");
        HttpResponse<String> r = server.post(ApiServer.MODEL, ApiServer.input(ApiServer.toneDataUri(1)));
        assertEquals(401, r.statusCode(), r.body());
        String msg = ApiServer.json(r).get("detail").asText();
        assertTrue(msg.contains("ASR_API_KEYS") && msg.contains("asr.api.keys") && msg.contains("asr.api.open"), msg);
    }

    @Test
    void wrongOrMissingKeyIs401() throws Exception {
        HttpResponse<String> missing = server.post(ApiServer.MODEL, ApiServer.input(ApiServer.toneDataUri(1)),
                "Authorization", "");
        assertEquals(401, missing.statusCode(), missing.body());
        HttpResponse<String> wrong = server.post(ApiServer.MODEL, ApiServer.input(ApiServer.toneDataUri(1)),
                "Authorization", "Key nope");
        assertEquals(401, wrong.statusCode(), wrong.body());
        assertEquals("invalid API key", ApiServer.json(wrong).get("detail").asText());
    }

    @Test
    void openModeServesWithoutKeys() throws Exception {
        server.close();
        server = new ApiServer(engine, dir, "asr.api.keys = []\nasr.api.open = true");
        HttpResponse<String> r = server.post(ApiServer.MODEL, ApiServer.input(ApiServer.toneDataUri(1)), "Authorization", "");
        assertEquals(200, r.statusCode(), r.body());
    }

    @Test
    void aRequestStillRunningAfterTheGracePeriodIsAnsweredWith503() throws Exception {
        server.close();
        server = new ApiServer(engine, dir, "asr.api.grace-period = 0s");
        engine.gate = new java.util.concurrent.CountDownLatch(1);
        var pending = server.http.sendAsync(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create(server.base() + ApiServer.MODEL))
                .header("Authorization", "Key " + ApiServer.KEY)
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(ApiServer.input(ApiServer.toneDataUri(2)))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertTrue(engine.atGate.await(10, java.util.concurrent.TimeUnit.SECONDS));
        server.api.close();
        HttpResponse<String> r = pending.get(10, java.util.concurrent.TimeUnit.SECONDS);
        assertEquals(503, r.statusCode(), r.body());
        assertEquals("runner_disconnected", ApiServer.json(r).get("error_type").asText());
    }

    @Test
    void runningRequestsFinishWithinTheGracePeriod() throws Exception {
        server.close();
        server = new ApiServer(engine, dir, "asr.api.grace-period = 30s");
        engine.gate = new java.util.concurrent.CountDownLatch(1);
        var pending = server.http.sendAsync(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create(server.base() + ApiServer.MODEL))
                .header("Authorization", "Key " + ApiServer.KEY)
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(ApiServer.input(ApiServer.toneDataUri(2)))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertTrue(engine.atGate.await(10, java.util.concurrent.TimeUnit.SECONDS));
        Thread closer = new Thread(server.api::close, "test-close");
        closer.start();
        ApiServer.await("new requests to be refused", java.time.Duration.ofSeconds(10), () -> {
            try {
                return server.post(ApiServer.MODEL, ApiServer.input(ApiServer.toneDataUri(1))).statusCode() == 503;
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        engine.gate.countDown();
        closer.join(20_000);
        HttpResponse<String> r = pending.get(10, java.util.concurrent.TimeUnit.SECONDS);
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("one two", ApiServer.json(r).get("output").asText());
    }

    @Test
    void javasDefaultClientWorksRequestAfterRequest() throws Exception {
        // java.net.http asks for an h2c upgrade on each new connection; Grizzly then closes it after the answer
        for (int i = 0; i < 20; i++) {
            assertEquals(422, server.post(ApiServer.MODEL, "{\"language\": 1}").statusCode());
            assertEquals(404, server.get(ApiServer.QUEUE + "/requests/none/status").statusCode());
        }
    }

    /**
     * An answer given before the body is read (401 here) to a request asking for an h2c upgrade, as java.net.http's
     * do: Grizzly closes such a connection after the answer, so the body is read first, or a client still sending it
     * meets a closed connection (broken pipe, reset) instead of the answer.
     */
    @Test
    void anEarlyAnswerToAnUpgradeRequestWaitsForItsBody() throws Exception {
        server.close();
        server = new ApiServer(engine, dir, "asr.api.keys = []");   // every request refused before its body is read
        byte[] body = new byte[300_000];
        java.util.Arrays.fill(body, (byte) 'x');
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(10_000);
            java.io.OutputStream out = s.getOutputStream();
            out.write(("POST " + ApiServer.MODEL + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade, HTTP2-Settings\r\n"
                    + "Upgrade: h2c\r\nHTTP2-Settings: AAEAAEAAAAIAAAAAAAMAAAAAAAQBAAAAAAUAAEAAAAYABgAA\r\n"
                    + "Content-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n")
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            out.flush();
            Thread.sleep(300);   // a server that answers without waiting for the body has answered and closed by now
            out.write(body);
            out.flush();
            String status = new String(s.getInputStream().readNBytes(12), java.nio.charset.StandardCharsets.US_ASCII);
            assertEquals("HTTP/1.1 401", status);
        }
    }

    @Test
    void unknownModelsAndMethodsAreClear4xx() throws Exception {
        HttpResponse<String> wrongMethod = server.get(ApiServer.MODEL);
        assertEquals(405, wrongMethod.statusCode(), wrongMethod.body());
        HttpResponse<String> unknown = server.post("/nvidia/nemotron-asr-multilingual/other", "{}");
        assertEquals(404, unknown.statusCode(), unknown.body());
        assertTrue(unknown.body().contains("unknown endpoint"), unknown.body());
    }
}
