package org.streamasr.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.InputStreamReader;
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

/** The queue API with a stand-in engine whose gate holds requests running. */
class HostedApiQueueTest {
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

    private void start(String overrides) throws Exception {
        server = new ApiServer(engine, dir, overrides);
    }

    @Test
    void submitPollAndFetchTheResult() throws Exception {
        start("");
        HttpResponse<String> r = server.post("/queue" + ApiServer.MODEL, ApiServer.input(ApiServer.toneDataUri(3)));
        assertEquals(200, r.statusCode(), r.body());
        JsonNode submit = ApiServer.json(r);
        String id = submit.get("request_id").asText();
        String base = server.base() + ApiServer.QUEUE + "/requests/" + id;
        assertEquals(base, submit.get("response_url").asText());
        assertEquals(base + "/status", submit.get("status_url").asText());
        assertEquals(base + "/cancel", submit.get("cancel_url").asText());
        assertEquals("IN_QUEUE", submit.get("status").asText());

        JsonNode done = server.awaitCompleted(id);
        List<String> logs = new ArrayList<>();
        done.get("logs").forEach(l -> logs.add(l.get("message").asText()));
        assertTrue(logs.contains("decoded 3.0 s of audio"), logs.toString());
        assertTrue(logs.contains("transcribed 100%"), logs.toString());
        assertTrue(logs.stream().anyMatch(l -> l.matches("transcribed [1-9]0%")), logs.toString());
        assertEquals("USER", done.get("logs").get(0).get("source").asText());
        assertTrue(done.get("metrics").get("inference_time").asDouble() > 0);
        assertFalse(done.has("error"));

        HttpResponse<String> result = server.get(submit.get("response_url").asText());
        assertEquals(200, result.statusCode(), result.body());
        assertEquals("{\"output\":\"one two three\",\"partial\":false}", result.body());
        // the subpath form of the URLs works too
        assertEquals(200, server.get(ApiServer.QUEUE + "/asr/requests/" + id).statusCode());
        // without ?logs=1 no logs
        assertTrue(ApiServer.json(server.get(ApiServer.QUEUE + "/requests/" + id + "/status")).get("logs").isNull());
        assertEquals(1.0, server.metric("asr_api_requests_completed_total", "mode", "queue", "result", "ok"));
    }

    @Test
    void urlsFollowForwardedHeadersOrThePublicBaseUrl() throws Exception {
        start("");
        HttpResponse<String> r = server.post("/queue" + ApiServer.MODEL, ApiServer.input(ApiServer.toneDataUri(1)),
                "X-Forwarded-Proto", "https", "X-Forwarded-Host", "asr.example.org");
        String id = ApiServer.json(r).get("request_id").asText();
        assertEquals("https://asr.example.org" + ApiServer.QUEUE + "/requests/" + id,
                ApiServer.json(r).get("response_url").asText());
        server.awaitCompleted(id);
        server.close();
        engine = new CountingEngine();
        start("asr.api.public-base-url = \"https://api.example.com/asr/\"");
        String id2 = server.submit(ApiServer.input(ApiServer.toneDataUri(1)), "X-Forwarded-Host", "ignored.example");
        assertEquals("https://api.example.com/asr" + ApiServer.QUEUE + "/requests/" + id2 + "/status",
                server.status(id2).get("status_url").asText());
        server.awaitCompleted(id2);
    }

    @Test
    void queuePositionsAndCancellation() throws Exception {
        start("asr.api.workers = 1");
        engine.gate = new CountDownLatch(1);
        String a = server.submit(ApiServer.input(ApiServer.toneDataUri(2)));
        assertTrue(engine.atGate.await(10, TimeUnit.SECONDS));
        String b = server.submit(ApiServer.input(ApiServer.toneDataUri(2)));
        String c = server.submit(ApiServer.input(ApiServer.toneDataUri(2)), "x-fal-queue-priority", "low");
        String d = server.submit(ApiServer.input(ApiServer.toneDataUri(2)));

        assertEquals("IN_PROGRESS", server.status(a).get("status").asText());
        assertEquals(202, server.get(ApiServer.QUEUE + "/requests/" + a + "/status").statusCode());
        assertEquals(0, server.status(b).get("queue_position").asInt());
        assertEquals(1, server.status(d).get("queue_position").asInt(), "normal priority goes before low");
        assertEquals(2, server.status(c).get("queue_position").asInt());
        HttpResponse<String> early = server.get(ApiServer.QUEUE + "/requests/" + b);
        assertEquals(400, early.statusCode(), early.body());

        HttpResponse<String> cancelB = server.send("PUT", ApiServer.QUEUE + "/requests/" + b + "/cancel", null);
        assertEquals(202, cancelB.statusCode(), cancelB.body());
        assertEquals("CANCELLATION_REQUESTED", ApiServer.json(cancelB).get("status").asText());
        JsonNode bStatus = server.status(b);
        assertEquals("COMPLETED", bStatus.get("status").asText());
        assertEquals("client_cancelled", bStatus.get("error_type").asText());
        assertEquals(499, server.get(ApiServer.QUEUE + "/requests/" + b).statusCode());
        assertEquals(0, server.status(d).get("queue_position").asInt());

        HttpResponse<String> cancelA = server.send("PUT", ApiServer.QUEUE + "/requests/" + a + "/cancel", null);
        assertEquals(202, cancelA.statusCode(), cancelA.body());
        assertEquals("client_cancelled", server.awaitCompleted(a).get("error_type").asText());

        engine.gate.countDown();
        assertFalse(server.awaitCompleted(d).has("error"));
        assertFalse(server.awaitCompleted(c).has("error"));
        HttpResponse<String> again = server.send("PUT", ApiServer.QUEUE + "/requests/" + c + "/cancel", null);
        assertEquals(400, again.statusCode(), again.body());
        assertEquals("ALREADY_COMPLETED", ApiServer.json(again).get("status").asText());
        HttpResponse<String> unknown = server.send("PUT", ApiServer.QUEUE + "/requests/nope/cancel", null);
        assertEquals(404, unknown.statusCode(), unknown.body());
        assertEquals("NOT_FOUND", ApiServer.json(unknown).get("status").asText());
        assertEquals(404, server.get(ApiServer.QUEUE + "/requests/nope/status").statusCode());
    }

    @Test
    void aFullQueueAnswers429() throws Exception {
        start("asr.api.workers = 1\nasr.api.max-queued = 2");
        engine.gate = new CountDownLatch(1);
        server.submit(ApiServer.input(ApiServer.toneDataUri(1)));
        assertTrue(engine.atGate.await(10, TimeUnit.SECONDS));
        server.submit(ApiServer.input(ApiServer.toneDataUri(1)));
        server.submit(ApiServer.input(ApiServer.toneDataUri(1)));
        HttpResponse<String> full = server.post("/queue" + ApiServer.MODEL, ApiServer.input(ApiServer.toneDataUri(1)));
        assertEquals(429, full.statusCode(), full.body());
        assertTrue(ApiServer.json(full).get("detail").asText().contains("queue is full"), full.body());
        HttpResponse<String> sync = server.post(ApiServer.MODEL, ApiServer.input(ApiServer.toneDataUri(1)));
        assertEquals(429, sync.statusCode(), sync.body());
        assertEquals(2.0, server.metric("asr_api_queue_depth"));
        assertEquals(2.0, server.metric("asr_api_requests_rejected_total", "reason", "queue_full"));
    }

    @Test
    void anotherKeyCannotSeeOrCancelARequest() throws Exception {
        start("asr.api.keys = [\"" + ApiServer.KEY + "\", \"other\"]");
        String id = server.submit(ApiServer.input(ApiServer.toneDataUri(1)));
        server.awaitCompleted(id);
        assertEquals(404, server.get(ApiServer.QUEUE + "/requests/" + id + "/status", "Authorization", "Key other").statusCode());
        assertEquals(404, server.get(ApiServer.QUEUE + "/requests/" + id, "Authorization", "Key other").statusCode());
        assertEquals(404, server.send("PUT", ApiServer.QUEUE + "/requests/" + id + "/cancel", null,
                "Authorization", "Key other").statusCode());
    }

    @Test
    void failedRequestsCompleteWithFalStyleErrors() throws Exception {
        start("");
        String junk = "data:audio/wav;base64," + java.util.Base64.getEncoder().encodeToString(new byte[500]);
        String id = server.submit(ApiServer.input(junk));
        JsonNode s = server.awaitCompleted(id);
        assertEquals("audio_decode_error", s.get("error_type").asText());
        assertTrue(s.get("error").asText().startsWith("cannot decode audio"), s.toString());
        HttpResponse<String> result = server.get(ApiServer.QUEUE + "/requests/" + id);
        assertEquals(400, result.statusCode());
        assertEquals("[\"body\",\"audio_url\"]", ApiServer.json(result).get("detail").get(0).get("loc").toString());
    }

    @Test
    void statusStreamSendsEachStateUntilCompleted() throws Exception {
        start("asr.api.workers = 1");
        engine.gate = new CountDownLatch(1);
        String blocker = server.submit(ApiServer.input(ApiServer.toneDataUri(1)));
        assertTrue(engine.atGate.await(10, TimeUnit.SECONDS));
        String id = server.submit(ApiServer.input(ApiServer.toneDataUri(2)));
        HttpRequest req = HttpRequest.newBuilder(URI.create(server.base() + ApiServer.QUEUE + "/requests/" + id
                        + "/status/stream?logs=1"))
                .header("Authorization", "Key " + ApiServer.KEY).header("Accept", "text/event-stream").build();
        HttpResponse<java.io.InputStream> resp = server.http.send(req, HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, resp.statusCode());
        assertEquals("text/event-stream", resp.headers().firstValue("Content-Type").orElse("").replaceAll(";.*", ""),
                resp.headers().map().toString());
        List<String> states = new ArrayList<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(resp.body(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                if (!line.startsWith("data: ")) continue;
                JsonNode ev = ApiServer.JSON.readTree(line.substring(6));
                String st = ev.get("status").asText();
                if (states.isEmpty() || !states.get(states.size() - 1).equals(st)) states.add(st);
                if (st.equals("IN_QUEUE") && states.size() == 1) engine.gate.countDown();
            }
        }
        assertEquals(List.of("IN_QUEUE", "IN_PROGRESS", "COMPLETED"), states);
        server.awaitCompleted(blocker);
    }

    @Test
    void queuedRequestsSurviveARestartAndFinish() throws Exception {
        start("asr.api.workers = 1\nasr.api.grace-period = 0s");
        engine.gate = new CountDownLatch(1);
        String running = server.submit(ApiServer.input(ApiServer.toneDataUri(1)));
        assertTrue(engine.atGate.await(10, TimeUnit.SECONDS));
        List<String> queued = new ArrayList<>();
        for (int i = 0; i < 3; i++) queued.add(server.submit(ApiServer.input(ApiServer.toneDataUri(i + 2))));

        int openedBefore = engine.opened.get();
        server.restart();
        ApiServer.await("the interrupted request to run again", Duration.ofSeconds(10), () -> engine.opened.get() > openedBefore);
        engine.gate.countDown();
        JsonNode first = server.awaitCompleted(running);
        assertFalse(first.has("error"), first.toString());
        assertTrue(first.get("logs").toString().contains("runs again at the next start"), first.toString());
        for (int i = 0; i < 3; i++) server.awaitCompleted(queued.get(i));

        server.restart();
        assertEquals("{\"output\":\"one two three four\",\"partial\":false}",
                server.get(ApiServer.QUEUE + "/requests/" + queued.get(2)).body(), "results outlive restarts");
    }

    @Test
    void resultsArePurgedAfterTheRetention() throws Exception {
        start("asr.api.result-retention = 1h");
        String id = server.submit(ApiServer.input(ApiServer.toneDataUri(1)));
        server.awaitCompleted(id);
        server.skewMillis.set(Duration.ofHours(2).toMillis());
        server.api.sweepNow();
        assertEquals(404, server.get(ApiServer.QUEUE + "/requests/" + id).statusCode());
    }
}
