package org.streamasr.transcripts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streamasr.api.webhook.WebhookSigner;
import org.streamasr.media.CallHandle;
import org.streamasr.media.CallSpec;
import org.streamasr.media.ParticipantAudio;
import org.streamasr.media.ParticipantSpec;
import org.streamasr.media.PcmFrame;
import org.streamasr.media.TranscriptListener;
import org.streamasr.server.AsrServer;
import org.streamasr.testing.Http;
import org.streamasr.testing.ScriptedEngine;
import org.streamasr.testing.TestServers;

/** GET /v1/calls/{id}/transcript in every format, during and after a call, across a restart, and its webhook. */
class CallTranscriptsTest {
    static final String KEY = "transcript-test-key";
    static final String SECRET = "transcript-webhook-secret";
    static final ObjectMapper JSON = new ObjectMapper();

    record Delivery(Map<String, String> headers, String body) {
    }

    /** One cue of a VTT or SRT file. */
    record Cue(long startMs, long endMs, String text) {
    }

    @TempDir
    Path storeDir;
    final ScriptedEngine engine = new ScriptedEngine();
    final ConcurrentLinkedQueue<Delivery> deliveries = new ConcurrentLinkedQueue<>();
    AsrServer server;
    Http http;
    HttpServer receiver;

    @BeforeEach
    void startReceiver() throws Exception {
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hook", ex -> {
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            Map<String, String> h = new java.util.HashMap<>();
            for (String name : List.of(WebhookSigner.REQUEST_ID_HEADER, WebhookSigner.TIMESTAMP_HEADER,
                    WebhookSigner.SIGNATURE_HEADER)) {
                h.put(name, ex.getRequestHeaders().getFirst(name));
            }
            deliveries.add(new Delivery(h, body));
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        receiver.start();
    }

    @AfterEach
    void stop() {
        if (http != null) http.close();
        if (server != null) server.close();
        receiver.stop(0);
    }

    void startServer() throws Exception {
        server = AsrServer.start(TestServers.config(Map.of(
                "asr.server.api-keys", List.of(KEY),
                "asr.api.store-dir", storeDir.toString(),
                "asr.api.webhooks.secret", SECRET,
                "asr.api.fetch.allow-private-addresses", true)), engine, false);
        http = new Http(server.baseUri());
    }

    void restartServer() throws Exception {
        http.close();
        server.close();
        startServer();
    }

    String hook() {
        return "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook";
    }

    Http.Reply transcript(String callId, String format) throws Exception {
        return http.get("/v1/calls/" + callId + "/transcript?format=" + format, "Authorization", "Bearer " + KEY);
    }

    @Test
    void aCallsTranscriptInEveryFormatDuringAndAfterTheCallAndAfterARestart() throws Exception {
        startServer();
        Http.Reply created = http.post("/v1/calls", "{\"callId\":\"standup\",\"transcriptWebhook\":\"" + hook() + "\"}",
                "Authorization", "Bearer " + KEY);
        assertEquals(201, created.status(), created.body());

        CallHandle call = server.calls().openCall(CallSpec.of("standup", "fork"), TranscriptListener.NONE);
        ParticipantAudio alice = call.openParticipant(new ParticipantSpec("alice", "Alice", null));
        ParticipantAudio bob = call.openParticipant(new ParticipantSpec("bob", null, null));
        alice.push(PcmFrame.audio(new short[16_000], 0));
        engine.stream("standup", "alice").partial("good");
        engine.stream("standup", "alice").fin("good morning everyone", 100, 400, 700);
        bob.push(PcmFrame.audio(new short[32_000], 0));
        engine.stream("standup", "bob").partial("partials are not kept");
        engine.stream("standup", "bob").fin("hi x<y & all", 1200, 1500, 1700, 1800);

        // While the call runs.
        await("both finals in the live transcript", () -> segments(transcript("standup", "json")).size() == 2);
        JsonNode live = transcript("standup", "json").json();
        assertEquals("live", live.get("state").asText());
        assertTrue(live.get("endedAt").isNull());

        assertEquals(200, http.delete("/v1/calls/standup", "Authorization", "Bearer " + KEY).status());
        call.close();
        await("the transcript webhook", () -> !deliveries.isEmpty());

        JsonNode json = transcript("standup", "json").json();
        assertEquals("ended", json.get("state").asText());
        assertEquals("deleted", json.get("endReason").asText());
        assertEquals("[{\"id\":\"alice\",\"name\":\"Alice\"},{\"id\":\"bob\",\"name\":\"bob\"}]",
                json.get("speakers").toString(), "speakers with their names, the id where none was given");
        List<JsonNode> segs = segments(transcript("standup", "json"));
        assertEquals(List.of("good morning everyone", "hi x<y & all"),
                segs.stream().map(s -> s.get("text").asText()).toList(), "finals only, in time order");
        assertEquals(List.of("Alice", "bob"), segs.stream().map(s -> s.get("name").asText()).toList());
        JsonNode a = segs.get(0);
        JsonNode b = segs.get(1);
        long aliceOffset = a.get("words").get(0).get("startMs").asLong() - 100;
        long bobOffset = b.get("words").get(0).get("startMs").asLong() - 1200;
        assertTrue(aliceOffset >= 0 && aliceOffset < 5_000, "alice's stream opened soon after the call: " + aliceOffset);
        assertTrue(bobOffset >= aliceOffset, "bob's stream opened after alice's");
        assertEquals(List.of(100L, 400L, 700L), wordStarts(a, aliceOffset), "word times on the call's clock");
        assertEquals(List.of(1200L, 1500L, 1700L, 1800L), wordStarts(b, bobOffset));
        assertTrue(a.get("endMs").asLong() > a.get("startMs").asLong());

        List<Cue> vtt = parseVtt(transcript("standup", "vtt"));
        List<Cue> srt = parseSrt(transcript("standup", "srt"));
        List<Cue> expected = List.of(
                new Cue(a.get("startMs").asLong(), a.get("endMs").asLong(), "Alice: good morning everyone"),
                new Cue(b.get("startMs").asLong(), b.get("endMs").asLong(), "bob: hi x<y & all"));
        assertEquals(expected, vtt);
        assertEquals(expected, srt);
        Http.Reply txt = transcript("standup", "txt");
        assertEquals("text/plain;charset=utf-8", txt.headers().firstValue("Content-Type").orElseThrow().replace(" ", ""));
        assertEquals(List.of("Alice: good morning everyone", "bob: hi x<y & all"),
                txt.body().lines().map(l -> l.replaceFirst("^\\[\\d\\d:\\d\\d:\\d\\d] ", "")).toList(), txt.body());

        // The webhook: signed, once, with the same transcript.
        Delivery d = deliveries.peek();
        long now = System.currentTimeMillis() / 1000;
        assertTrue(WebhookSigner.verify(SECRET, d.headers().get(WebhookSigner.TIMESTAMP_HEADER), d.body(),
                d.headers().get(WebhookSigner.SIGNATURE_HEADER), now, 300), "signature checks");
        assertFalse(WebhookSigner.verify("other-secret", d.headers().get(WebhookSigner.TIMESTAMP_HEADER), d.body(),
                d.headers().get(WebhookSigner.SIGNATURE_HEADER), now, 300));
        JsonNode hooked = JSON.readTree(d.body());
        assertEquals("call.transcript", hooked.get("event").asText());
        assertEquals("standup", hooked.get("callId").asText());
        assertEquals("ended", hooked.get("state").asText());
        assertEquals(json.get("segments"), hooked.get("segments"));
        assertTrue(d.headers().get(WebhookSigner.REQUEST_ID_HEADER).startsWith("call-transcript-standup-"));

        // After a restart, from the store.
        String before = transcript("standup", "json").body();
        String vttBefore = transcript("standup", "vtt").body();
        restartServer();
        assertEquals(JSON.readTree(before), transcript("standup", "json").json());
        assertEquals(vttBefore, transcript("standup", "vtt").body());
        assertEquals(expected, parseSrt(transcript("standup", "srt")));
        assertEquals(1, deliveries.size(), "the acknowledged webhook is not sent again after a restart");
    }

    @Test
    void transcriptRequestsNeedTheKeyAKnownCallAndAKnownFormat() throws Exception {
        startServer();
        assertEquals(201, http.post("/v1/calls", "{\"callId\":\"c1\"}", "Authorization", "Bearer " + KEY).status());
        assertEquals(401, http.get("/v1/calls/c1/transcript").status());
        assertEquals(401, http.get("/v1/calls/c1/transcript", "Authorization", "Bearer wrong").status());
        assertEquals(200, transcript("c1", "json").status());
        assertEquals("WEBVTT", transcript("c1", "vtt").body().strip(), "an empty transcript is a valid file");
        Http.Reply bad = transcript("c1", "docx");
        assertEquals(400, bad.status());
        assertTrue(bad.body().contains("json, txt, vtt, srt"), bad.body());
        assertEquals(404, transcript("nope", "json").status());
        Http.Reply badHook = http.post("/v1/calls", "{\"callId\":\"c2\",\"transcriptWebhook\":\"ftp://x/y\"}",
                "Authorization", "Bearer " + KEY);
        assertEquals(400, badHook.status());
        assertTrue(badHook.body().contains("transcriptWebhook"), badHook.body());
    }

    static List<JsonNode> segments(Http.Reply r) {
        List<JsonNode> out = new ArrayList<>();
        r.json().get("segments").forEach(out::add);
        return out;
    }

    static List<Long> wordStarts(JsonNode segment, long offset) {
        List<Long> out = new ArrayList<>();
        segment.get("words").forEach(w -> out.add(w.get("startMs").asLong() - offset));
        return out;
    }

    static final Pattern VTT_TIME = Pattern.compile("(\\d\\d):(\\d\\d):(\\d\\d)\\.(\\d{3}) --> (\\d\\d):(\\d\\d):(\\d\\d)\\.(\\d{3})");
    static final Pattern SRT_TIME = Pattern.compile("(\\d\\d):(\\d\\d):(\\d\\d),(\\d{3}) --> (\\d\\d):(\\d\\d):(\\d\\d),(\\d{3})");
    static final Pattern VOICE = Pattern.compile("<v ([^>]*)>(.*)");

    /** A WebVTT parser for what cues may hold: header, numbered cues, voice spans, and the &amp;/&lt; escapes. */
    static List<Cue> parseVtt(Http.Reply r) {
        assertEquals(200, r.status());
        assertTrue(r.headers().firstValue("Content-Type").orElseThrow().startsWith("text/vtt"));
        String[] blocks = r.body().split("\n\n");
        assertEquals("WEBVTT", blocks[0]);
        List<Cue> out = new ArrayList<>();
        for (int i = 1; i < blocks.length; i++) {
            String[] lines = blocks[i].split("\n");
            assertEquals(Integer.toString(i), lines[0], "cue identifier");
            Matcher t = VTT_TIME.matcher(lines[1]);
            assertTrue(t.matches(), lines[1]);
            Matcher v = VOICE.matcher(lines[2]);
            assertTrue(v.matches(), lines[2]);
            String text = v.group(2).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&");
            out.add(new Cue(ms(t, 1), ms(t, 5), v.group(1) + ": " + text));
        }
        return out;
    }

    static List<Cue> parseSrt(Http.Reply r) {
        assertEquals(200, r.status());
        List<Cue> out = new ArrayList<>();
        String[] blocks = r.body().strip().split("\n\n");
        for (int i = 0; i < blocks.length; i++) {
            String[] lines = blocks[i].split("\n");
            assertEquals(Integer.toString(i + 1), lines[0], "SRT sequence number");
            Matcher t = SRT_TIME.matcher(lines[1]);
            assertTrue(t.matches(), lines[1]);
            assertTrue(ms(t, 5) > ms(t, 1), "a cue ends after it starts");
            out.add(new Cue(ms(t, 1), ms(t, 5), lines[2]));
        }
        return out;
    }

    static long ms(Matcher m, int first) {
        return ((Long.parseLong(m.group(first)) * 60 + Long.parseLong(m.group(first + 1))) * 60
                + Long.parseLong(m.group(first + 2))) * 1000 + Long.parseLong(m.group(first + 3));
    }

    static void await(String what, Check condition) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!condition.ok()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for " + what);
            Thread.sleep(20);
        }
    }

    interface Check {
        boolean ok() throws Exception;
    }
}
