package org.streamasr.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Decompression bombs: a small file that decodes to hours is refused from what its container states, before any
 * decoding (nothing decoded is written to disk either way); one that states nothing is stopped at the limit.
 */
class HostedApiDecodeLimitsTest {
    @TempDir
    Path dir;
    private final CountingEngine engine = new CountingEngine();
    private ApiServer server;

    @AfterEach
    void stop() {
        if (server != null) server.close();
        assertEquals(0, engine.open.get(), "engine streams left open");
    }

    private Path make(String name, String... args) throws Exception {
        Path out = dir.resolve(name);
        java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of("ffmpeg", "-nostdin", "-hide_banner",
                "-loglevel", "error", "-f", "lavfi", "-i", "sine=frequency=440:duration=60"));
        cmd.addAll(java.util.List.of(args));
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, "ffmpeg " + cmd);
        return out;
    }

    private static String dataUri(Path file) throws Exception {
        return "data:audio/mpeg;base64," + Base64.getEncoder().encodeToString(Files.readAllBytes(file));
    }

    @Test
    void aBombThatStatesItsDurationIsRefusedBeforeDecoding() throws Exception {
        server = new ApiServer(engine, dir.resolve("store"), "asr.api.limits.max-audio-duration = 5s\n");
        Path mp3 = make("minute.mp3", "-ac", "1", "-c:a", "libmp3lame", "-b:a", "8k", "-f", "mp3", "pipe:1");
        String id = server.submit(ApiServer.input(dataUri(mp3)));
        JsonNode status = server.awaitCompleted(id);
        HttpResponse<String> r = server.get(ApiServer.QUEUE + "/requests/" + id);
        assertEquals(413, r.statusCode(), r.body());
        JsonNode d = ApiServer.json(r).get("detail").get(0);
        assertEquals("audio_duration_too_long", d.get("type").asText());
        assertTrue(d.get("msg").asText().contains("as its container states")
                && d.get("msg").asText().contains("asr.api.limits.max-audio-duration"), d.toString());
        assertEquals(0, engine.opened.get(), "no engine stream was opened: nothing was decoded");
        assertTrue(status.get("logs").toString().contains("received"), status.toString());
    }

    @Test
    void aBombThatStatesNoDurationIsStoppedAtTheLimit() throws Exception {
        server = new ApiServer(engine, dir.resolve("store"), "asr.api.limits.max-audio-duration = 5s\n");
        Path webm = make("minute.webm", "-ac", "1", "-c:a", "libopus", "-b:a", "8k", "-f", "webm", "pipe:1");
        HttpResponse<String> r = server.post(ApiServer.MODEL, ApiServer.input(dataUri(webm)));
        assertEquals(413, r.statusCode(), r.body());
        assertTrue(r.body().contains("longer than the limit of 5 s"), r.body());
    }
}
