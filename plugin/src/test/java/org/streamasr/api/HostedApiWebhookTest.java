package org.streamasr.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streamasr.api.webhook.WebhookSigner;

class HostedApiWebhookTest {
    static final String SECRET = "webhook-test-secret";

    record Delivery(Map<String, String> headers, String body) {
    }

    @TempDir
    Path dir;
    CountingEngine engine = new CountingEngine();
    ApiServer server;
    HttpServer receiver;
    ExecutorService receiverThreads = Executors.newCachedThreadPool();
    final ConcurrentLinkedQueue<Delivery> deliveries = new ConcurrentLinkedQueue<>();
    final AtomicInteger failFirst = new AtomicInteger();

    @BeforeEach
    void startReceiver() throws Exception {
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hook", ex -> {
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            Map<String, String> h = new java.util.HashMap<>();
            for (String name : List.of(WebhookSigner.REQUEST_ID_HEADER, WebhookSigner.TIMESTAMP_HEADER,
                    WebhookSigner.SIGNATURE_HEADER, "Content-Type")) {
                h.put(name, ex.getRequestHeaders().getFirst(name));
            }
            deliveries.add(new Delivery(h, body));
            ex.sendResponseHeaders(failFirst.getAndDecrement() > 0 ? 503 : 200, -1);
            ex.close();
        });
        receiver.setExecutor(receiverThreads);
        receiver.start();
    }

    @AfterEach
    void stop() {
        if (server != null) server.close();
        receiver.stop(0);
        receiverThreads.shutdownNow();
    }

    String hook() {
        return "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook";
    }

    String submitWithHook(String input) throws Exception {
        HttpResponse<String> r = server.post("/queue" + ApiServer.MODEL + "?fal_webhook="
                + URLEncoder.encode(hook(), StandardCharsets.UTF_8), input);
        assertEquals(200, r.statusCode(), r.body());
        JsonNode j = ApiServer.json(r);
        assertEquals(j.get("request_id").asText(), j.get("gateway_request_id").asText());
        return j.get("request_id").asText();
    }

    void awaitDeliveries(int n) throws InterruptedException {
        ApiServer.await(n + " webhook deliveries", Duration.ofSeconds(30), () -> deliveries.size() >= n);
    }

    @Test
    void deliversASignedNotificationOnceEvenAcrossRestarts() throws Exception {
        server = new ApiServer(engine, dir, "asr.api.webhooks.secret = \"" + SECRET + "\"");
        String id = submitWithHook(ApiServer.input(ApiServer.toneDataUri(2)));
        awaitDeliveries(1);
        Delivery d = deliveries.peek();
        JsonNode body = ApiServer.JSON.readTree(d.body());
        assertEquals(id, body.get("request_id").asText());
        assertEquals(id, body.get("gateway_request_id").asText());
        assertEquals("OK", body.get("status").asText());
        assertEquals("one two", body.get("payload").get("output").asText());
        assertFalse(body.has("error"));
        assertEquals(id, d.headers().get(WebhookSigner.REQUEST_ID_HEADER));
        assertEquals("application/json", d.headers().get("Content-Type"));
        long now = System.currentTimeMillis() / 1000;
        String ts = d.headers().get(WebhookSigner.TIMESTAMP_HEADER);
        String sig = d.headers().get(WebhookSigner.SIGNATURE_HEADER);
        assertTrue(WebhookSigner.verify(SECRET, ts, d.body(), sig, now, 300), sig);
        assertFalse(WebhookSigner.verify(SECRET, ts, d.body().replace("one", "won"), sig, now, 300), "tampered body");
        assertFalse(WebhookSigner.verify("other", ts, d.body(), sig, now, 300), "wrong secret");
        assertFalse(WebhookSigner.verify(SECRET, ts, d.body(), sig, now + 3600, 300), "replayed an hour later");

        ApiServer.await("the delivery to be acknowledged", Duration.ofSeconds(10),
                () -> server.metric("asr_api_webhooks_pending") == 0);
        server.restart();
        assertEquals(0.0, server.metric("asr_api_webhooks_pending"), "nothing left to send after a restart");
        assertEquals(1, deliveries.size());
    }

    @Test
    void retriesWithBackoffAndTheDeliverySurvivesARestart() throws Exception {
        failFirst.set(1);
        server = new ApiServer(engine, dir, "asr.api.webhooks.secret = \"" + SECRET + "\"\n"
                + "asr.api.webhooks.initial-backoff = 1500ms");
        String id = submitWithHook(ApiServer.input(ApiServer.toneDataUri(1)));
        awaitDeliveries(1);
        ApiServer.await("the failed attempt to be recorded", Duration.ofSeconds(10),
                () -> server.metric("asr_api_webhook_attempts_total", "result", "retry") == 1);
        server.restart();
        assertEquals(1.0, server.metric("asr_api_webhooks_pending"), "the delivery is still owed after a restart");
        awaitDeliveries(2);
        Delivery[] both = deliveries.toArray(new Delivery[0]);
        assertEquals(both[0].body(), both[1].body(), "a retry sends the same outcome");
        assertEquals(id, both[1].headers().get(WebhookSigner.REQUEST_ID_HEADER));
        assertTrue(WebhookSigner.verify(SECRET, both[1].headers().get(WebhookSigner.TIMESTAMP_HEADER), both[1].body(),
                both[1].headers().get(WebhookSigner.SIGNATURE_HEADER), System.currentTimeMillis() / 1000, 300));
        ApiServer.await("the retry to be acknowledged", Duration.ofSeconds(10),
                () -> server.metric("asr_api_webhooks_pending") == 0);
        server.restart();
        assertEquals(0.0, server.metric("asr_api_webhooks_pending"));
        assertEquals(2, deliveries.size());
    }

    @Test
    void failedRequestsAreDeliveredAsErrors() throws Exception {
        server = new ApiServer(engine, dir, "asr.api.webhooks.secret = \"" + SECRET + "\"");
        String junk = "data:audio/wav;base64," + java.util.Base64.getEncoder().encodeToString(new byte[300]);
        submitWithHook(ApiServer.input(junk));
        awaitDeliveries(1);
        JsonNode body = ApiServer.JSON.readTree(deliveries.peek().body());
        assertEquals("ERROR", body.get("status").asText());
        assertTrue(body.get("error").asText().startsWith("cannot decode audio"), body.toString());
        assertEquals("audio_decode_error", body.get("payload").get("detail").get(0).get("type").asText());
    }

    @Test
    void webhookUrlsObeyTheAddressRulesAtSubmissionWithTheSame422AsAnAudioUrl() throws Exception {
        server = new ApiServer(engine, dir, "asr.api.fetch.allow-private-addresses = false");
        HttpResponse<String> bad = server.post("/queue" + ApiServer.MODEL + "?fal_webhook=ftp://example.com/x",
                ApiServer.input(ApiServer.toneDataUri(1)));
        assertEquals(422, bad.statusCode(), bad.body());
        assertEquals("[\"query\",\"fal_webhook\"]", ApiServer.json(bad).get("detail").get(0).get("loc").toString());

        // an audio_url on loopback is refused as url_not_allowed; a webhook on loopback now is too, at submission
        HttpResponse<String> audio = server.post(ApiServer.MODEL, ApiServer.input(hook()));
        assertEquals(422, audio.statusCode(), audio.body());
        JsonNode audioDetail = ApiServer.json(audio).get("detail").get(0);
        for (String url : new String[] {hook(), "http://169.254.169.254/latest/meta-data/", "http://[::1]:9/x",
                "http://localhost:" + receiver.getAddress().getPort() + "/hook"}) {
            HttpResponse<String> r = server.post("/queue" + ApiServer.MODEL + "?fal_webhook="
                    + URLEncoder.encode(url, StandardCharsets.UTF_8), ApiServer.input(ApiServer.toneDataUri(1)));
            assertEquals(422, r.statusCode(), url + ": " + r.body());
            JsonNode d = ApiServer.json(r).get("detail").get(0);
            assertEquals("[\"query\",\"fal_webhook\"]", d.get("loc").toString());
            assertEquals(audioDetail.get("type").asText(), d.get("type").asText(), r.body());
            assertEquals("url_not_allowed", r.headers().firstValue("X-Fal-Error-Type").orElse(null));
            assertTrue(d.get("msg").asText().contains(" is a "), d.toString());
        }
        assertEquals(0, deliveries.size(), "a refused webhook is never contacted");
        assertEquals(0, engine.opened.get(), "and nothing ran");
    }

    @Test
    void aFailedDeliveryShowsInTheRequestsStatus() throws Exception {
        failFirst.set(100);
        server = new ApiServer(engine, dir, "asr.api.webhooks.attempts = 2\nasr.api.webhooks.initial-backoff = 100ms\n");
        String id = submitWithHook(ApiServer.input(ApiServer.toneDataUri(1)));
        awaitDeliveries(2);
        ApiServer.await("the delivery to be given up", Duration.ofSeconds(10),
                () -> server.metric("asr_api_webhook_attempts_total", "result", "failed") == 1);
        JsonNode status = server.status(id);
        assertEquals("COMPLETED", status.get("status").asText());
        assertEquals("FAILED", status.get("webhook").get("status").asText(), status.toString());
        assertEquals("HTTP 503", status.get("webhook").get("error").asText(), status.toString());
    }
}
