package org.streamasr.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The @fal-ai/client proxy protocol at /api/fal/proxy (x-fal-target-url), as the client's URLs look. */
class HostedApiProxyTest {
    static final String PROXY = "/api/fal/proxy";
    static final String TARGET = "x-fal-target-url";

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
        server.close();
    }

    @Test
    void servesTheQueueSyncAndStorageUrlsOfTheClient() throws Exception {
        HttpResponse<String> submit = server.post(PROXY, ApiServer.input(ApiServer.toneDataUri(2)),
                TARGET, "https://queue.fal.run/nvidia/nemotron-asr-multilingual/asr");
        assertEquals(200, submit.statusCode(), submit.body());
        String id = ApiServer.json(submit).get("request_id").asText();
        String app = "https://queue.fal.run/nvidia/nemotron-asr-multilingual/requests/" + id;
        ApiServer.await("completion", java.time.Duration.ofSeconds(30), () -> {
            try {
                return ApiServer.json(server.get(PROXY, TARGET, app + "/status")).get("status").asText().equals("COMPLETED");
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        JsonNode status = ApiServer.json(server.get(PROXY, TARGET, app + "/status?logs=1"));
        assertTrue(status.get("logs").size() > 0);
        HttpResponse<String> result = server.get(PROXY, TARGET, app);
        assertEquals("{\"output\":\"one two\",\"partial\":false}", result.body());
        assertEquals(400, server.send("PUT", PROXY, null, TARGET, app + "/cancel").statusCode());

        HttpResponse<String> sync = server.post(PROXY, ApiServer.input(ApiServer.toneDataUri(1)),
                TARGET, "https://fal.run/nvidia/nemotron-asr-multilingual/asr");
        assertEquals("one", ApiServer.json(sync).get("output").asText(), sync.body());

        HttpResponse<String> initiate = server.post(PROXY, "{\"content_type\": \"audio/wav\", \"file_name\": \"a.wav\"}",
                TARGET, "https://rest.fal.ai/storage/upload/initiate?storage_type=fal-cdn-v3");
        assertEquals(200, initiate.statusCode(), initiate.body());
        assertTrue(ApiServer.json(initiate).get("upload_url").asText().startsWith(server.base() + "/storage/upload/"));
    }

    @Test
    void theProxyNeedsTheKeyToo() throws Exception {
        HttpResponse<String> r = server.post(PROXY, ApiServer.input(ApiServer.toneDataUri(1)),
                TARGET, "https://fal.run/nvidia/nemotron-asr-multilingual/asr", "Authorization", "");
        assertEquals(401, r.statusCode(), r.body());
    }

    @Test
    void otherTargetsAreClear4xx() throws Exception {
        HttpResponse<String> missing = server.post(PROXY, "{}");
        assertEquals(400, missing.statusCode());
        assertTrue(missing.body().contains("x-fal-target-url"), missing.body());
        HttpResponse<String> foreign = server.post(PROXY, "{}", TARGET, "https://attacker.example/steal");
        assertEquals(403, foreign.statusCode(), foreign.body());
        HttpResponse<String> lookalike = server.post(PROXY, "{}", TARGET, "https://notfal.run.example.com/x");
        assertEquals(403, lookalike.statusCode(), lookalike.body());
        HttpResponse<String> otherModel = server.post(PROXY, "{}", TARGET, "https://fal.run/fal-ai/whisper");
        assertEquals(404, otherModel.statusCode(), otherModel.body());
        assertTrue(otherModel.body().contains("serves only the model nvidia/nemotron-asr-multilingual/asr"),
                otherModel.body());
        HttpResponse<String> realtime = server.get(PROXY, TARGET, "https://ws.fal.run/nvidia/nemotron-asr-multilingual/asr");
        assertEquals(404, realtime.statusCode(), realtime.body());
    }
}
