package org.streamasr.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.streamasr.media.CallHandle;
import org.streamasr.media.CallSpec;
import org.streamasr.media.ParticipantSpec;
import org.streamasr.media.PcmFrame;
import org.streamasr.media.TranscriptListener;
import org.streamasr.testing.Http;
import org.streamasr.testing.ScriptedEngine;
import org.streamasr.testing.TestServers;
import org.streamasr.testing.WebSocketRecorder;

/** Live captions over a real WebSocket: order, late joiners, tokens, slow consumers. */
class CaptionsWebSocketTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final ScriptedEngine engine = new ScriptedEngine();
    private AsrServer server;
    private Http http;

    private void start(Map<String, Object> settings) throws Exception {
        server = AsrServer.start(TestServers.config(settings), engine, false);
        http = new Http(server.baseUri());
    }

    @AfterEach
    void stop() {
        if (http != null) http.close();
        if (server != null) server.close();
    }

    private URI createCall(String id) throws Exception {
        Http.Reply r = http.post("/v1/calls", "{\"callId\":\"" + id + "\"}");
        assertEquals(201, r.status(), r.body());
        return URI.create(r.json().get("captionsUrl").asText());
    }

    private ScriptedEngine.Stream speaker(String callId, String id, String name) throws Exception {
        CallHandle h = server.calls().openCall(CallSpec.of(callId, "test"), TranscriptListener.NONE);
        h.openParticipant(new ParticipantSpec(id, name, null)).push(PcmFrame.audio(new short[8000], 0));
        return engine.stream(callId, id);
    }

    /** The client's handshake completes before the server has registered the subscriber: wait for that. */
    private void awaitSubscribers(int n) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (server.captions().subscriberCount() != n) {
            if (System.nanoTime() > deadline) throw new AssertionError("expected " + n + " caption subscribers");
            Thread.onSpinWait();
        }
    }

    private static void assertEvent(JsonNode e, String type, String participant, long seq, String text) {
        assertEquals(type, e.get("type").asText(), e.toString());
        assertEquals(participant, e.get("participant").asText(), e.toString());
        assertEquals(seq, e.get("seq").asLong(), e.toString());
        assertEquals(text, e.get("text").asText(), e.toString());
    }

    @Test
    void partialsAndFinalsArriveInOrderWithTheirFields() throws Exception {
        start(Map.of());
        URI captions = createCall("meeting");
        ScriptedEngine.Stream alice = speaker("meeting", "alice", "Alice");
        ScriptedEngine.Stream bob = speaker("meeting", "bob", "Bob");
        try (WebSocketRecorder ws = WebSocketRecorder.connect(captions)) {
            awaitSubscribers(1);
            // Connected: what the engine says now arrives live, in order.
            alice.partial("hello", 0);
            alice.partial("hello every", 0, 300);
            alice.fin("hello everyone", 0, 300);
            bob.partial("hi", 100);
            bob.fin("hi alice", 100, 300);
            alice.partial("so", 0);

            JsonNode p1 = ws.nextJson(WAIT);
            assertEvent(p1, "partial", "alice", 1, "hello");
            assertEquals("Alice", p1.get("name").asText());
            assertEquals("meeting", p1.get("callId").asText());
            assertTrue(p1.has("language"), "language is always present (null when unknown)");
            String firstUtterance = p1.get("utteranceId").asText();
            JsonNode p2 = ws.nextJson(WAIT);
            assertEvent(p2, "partial", "alice", 2, "hello every");
            JsonNode f1 = ws.nextJson(WAIT);
            assertEvent(f1, "final", "alice", 3, "hello everyone");
            assertEquals(firstUtterance, f1.get("utteranceId").asText());
            assertEquals(2, f1.get("words").size());
            assertEquals("everyone", f1.get("words").get(1).get("word").asText());
            assertEquals(300, f1.get("words").get(1).get("startMs").asLong());
            assertEquals(500, f1.get("endMs").asLong());
            assertEvent(ws.nextJson(WAIT), "partial", "bob", 1, "hi");
            assertEvent(ws.nextJson(WAIT), "final", "bob", 2, "hi alice");
            JsonNode next = ws.nextJson(WAIT);
            assertEvent(next, "partial", "alice", 4, "so");
            assertFalse(firstUtterance.equals(next.get("utteranceId").asText()), "a new utterance after a final");

            // DELETE flushes the open utterance as a final, then the call's end, then a normal close.
            assertEquals(200, http.delete("/v1/calls/meeting").status());
            assertEvent(ws.nextJson(WAIT), "final", "alice", 5, "so");
            JsonNode ended = ws.nextJson(WAIT);
            assertEquals("ended", ended.get("type").asText());
            assertEquals("deleted", ended.get("reason").asText());
            assertEquals(1000, ws.next(WAIT).closeCode());
        }
    }

    @Test
    void shutdownDeliversEachSpeakersLastFinalAndEndedBeforeClosing() throws Exception {
        // Room for the whole backlog: this subscriber is slow, not too slow.
        start(Map.of("asr.captions.subscriber-max-queued-bytes", "64MiB"));
        URI captions = createCall("closing");
        int speakers = 6;
        String words = "and that is all from me for today ".repeat(60_000);   // 2 MB per final
        try (WebSocketRecorder ws = WebSocketRecorder.connect(captions)) {
            awaitSubscribers(1);
            for (int i = 0; i < speakers; i++) speaker("closing", "p" + i, "Speaker " + i).partial("open " + i);
            for (int i = 0; i < speakers; i++) assertEquals("partial", ws.nextJson(WAIT).get("type").asText());
            // Each speaker's open utterance is still to become a final: the shutdown flushes them. The subscriber
            // reads only once the call has ended, so the server still holds most of the 12 MB of last finals
            // (more than the socket buffers take) when the call is over.
            for (int i = 0; i < speakers; i++) engine.stream("closing", "p" + i).partial(words + i);
            ws.reading(false);
            var callEnded = server.calls().find("closing").orElseThrow().ended();
            var closed = java.util.concurrent.CompletableFuture.runAsync(server::close);
            assertEquals("shutdown", callEnded.get(WAIT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS));
            ws.reading(true);

            java.util.Set<String> finalsFrom = new java.util.HashSet<>();
            JsonNode e;
            while ((e = ws.nextJson(WAIT)).get("type").asText().equals("partial")) {
                assertTrue(finalsFrom.isEmpty(), "no partial after a final: " + e);
            }
            do {
                assertEquals("final", e.get("type").asText(), e.toString().substring(0, 200));
                String who = e.get("participant").asText();
                assertTrue(e.get("text").asText().endsWith(words + who.substring(1)), who + "'s last words, whole");
                finalsFrom.add(who);
            } while (!(e = ws.nextJson(WAIT)).get("type").asText().equals("ended"));
            assertEquals(speakers, finalsFrom.size(), "every speaker's last final: " + finalsFrom);
            assertEquals("shutdown", e.get("reason").asText());
            assertEquals(1000, ws.next(WAIT).closeCode(), "then a normal close");
            closed.get(WAIT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        }
    }

    @Test
    void theAdaptersIdleTimeoutClosesASilentBridgeButNeverACaptionsSubscriber() throws Exception {
        start(Map.of("asr.media.websocket.idle-timeout", "1s"));
        URI captions = createCall("quiet-meeting");
        ScriptedEngine.Stream alice = speaker("quiet-meeting", "alice", "Alice");
        URI bridgeUri = URI.create(server.baseUri().toString().replaceFirst("^http", "ws") + "/mediajson/silent-bridge");
        try (WebSocketRecorder subscriber = WebSocketRecorder.connect(captions);
             WebSocketRecorder bridge = WebSocketRecorder.connect(bridgeUri)) {
            awaitSubscribers(1);
            assertTrue(bridge.awaitClose(WAIT).closeCode() != null, "the bridge that sent nothing was closed");
            // Twice the idle timeout without a caption: the subscriber is still there, and gets the next one.
            assertTrue(subscriber.isQuiet(Duration.ofSeconds(2)));
            alice.partial("still here");
            assertEvent(subscriber.nextJson(WAIT), "partial", "alice", 1, "still here");
        }
    }

    @Test
    void aLateJoinerGetsRecentFinalsFirstThenLiveEvents() throws Exception {
        start(Map.of("asr.captions.history", 2));
        URI captions = createCall("late");
        ScriptedEngine.Stream alice = speaker("late", "alice", "Alice");
        alice.fin("one");
        alice.fin("two");
        alice.partial("three so");
        alice.fin("three");
        // The three finals were delivered (to nobody) before we join: wait until the call's lane is idle.
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (server.calls().find("late").orElseThrow().queuedEvents() > 0 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        try (WebSocketRecorder ws = WebSocketRecorder.connect(captions)) {
            JsonNode h1 = ws.nextJson(WAIT);
            assertEvent(h1, "final", "alice", 2, "two");
            assertTrue(h1.get("history").asBoolean());
            assertEvent(ws.nextJson(WAIT), "final", "alice", 4, "three");
            alice.partial("four");
            JsonNode live = ws.nextJson(WAIT);
            assertEvent(live, "partial", "alice", 5, "four");
            assertFalse(live.has("history"));
        }
    }

    @Test
    void aWrongTokenOrUnknownCallIsRefused() throws Exception {
        start(Map.of());
        URI captions = createCall("secret");
        String base = captions.toString().substring(0, captions.toString().indexOf('?'));
        for (String uri : new String[] {base + "?token=guess", base, base.replace("secret", "nope") + "?token=x"}) {
            try (WebSocketRecorder ws = WebSocketRecorder.connect(URI.create(uri))) {
                WebSocketRecorder.Event e = ws.next(WAIT);
                assertEquals(1008, e.closeCode(), uri);
                assertEquals("unknown call or wrong token", e.closeReason());
            }
        }
        // The token of one call does not open another.
        URI other = createCall("other");
        String token = other.getQuery().substring("token=".length());
        try (WebSocketRecorder ws = WebSocketRecorder.connect(URI.create(base + "?token=" + token))) {
            assertEquals(1008, ws.next(WAIT).closeCode());
        }
    }

    @Test
    void aSubscriberThatStopsReadingIsEvictedAndNeverSlowsTheOthers() throws Exception {
        start(Map.of("asr.captions.subscriber-max-queued-bytes", "64KiB"));
        URI captions = createCall("busy");
        ScriptedEngine.Stream alice = speaker("busy", "alice", "Alice");
        try (WebSocketRecorder slow = WebSocketRecorder.connect(captions);
             WebSocketRecorder fast = WebSocketRecorder.connect(captions)) {
            awaitSubscribers(2);
            slow.reading(false);
            String filler = "x".repeat(32_000);
            int finals = 400;   // 12.8 MB: more than the socket buffers between the server and the slow client hold
            for (int i = 0; i < finals; i++) alice.fin(i + " " + filler);
            for (int i = 0; i < finals; i++) {
                JsonNode e = fast.nextJson(WAIT);
                assertEquals(i + 1, e.get("seq").asLong());
            }
            String metrics = http.get("/metrics").body();
            assertTrue(metrics.contains("asr_caption_subscribers_evicted_total 1.0"), metrics);
            slow.reading(true);
            WebSocketRecorder.Event close = slow.awaitClose(WAIT);
            assertEquals(1008, close.closeCode());
            assertTrue(close.closeReason().startsWith("too slow"), close.closeReason());
        }
    }

    @Test
    void aSubscriberStuckOnASendIsClosedByTheTimerThoughNoCaptionFollows() throws Exception {
        // A queue limit the burst never reaches: only the send timeout can close the stuck subscriber.
        start(Map.of("asr.captions.subscriber-max-queued-bytes", "64MiB", "asr.captions.send-timeout", "1s"));
        URI captions = createCall("quiet");
        ScriptedEngine.Stream alice = speaker("quiet", "alice", "Alice");
        try (WebSocketRecorder stuck = WebSocketRecorder.connect(captions);
             WebSocketRecorder reader = WebSocketRecorder.connect(captions)) {
            awaitSubscribers(2);
            stuck.reading(false);
            String filler = "x".repeat(32_000);
            int finals = 400;   // more than the socket buffers hold: the stuck subscriber's send never completes
            for (int i = 0; i < finals; i++) alice.fin(i + " " + filler);
            for (int i = 0; i < finals; i++) assertEquals(i + 1, reader.nextJson(WAIT).get("seq").asLong());
            // The call now says nothing more; the captions timer still finds the stuck send.
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (server.captions().subscriberCount() != 1) {
                assertTrue(System.nanoTime() < deadline, "the stuck subscriber was not closed");
                Thread.onSpinWait();
            }
            assertTrue(http.get("/metrics").body().contains("asr_caption_subscribers_evicted_total 1.0"));
            stuck.reading(true);
            WebSocketRecorder.Event close = stuck.awaitClose(WAIT);
            assertEquals(1008, close.closeCode());
            assertEquals("too slow: a send has not completed in 1000 ms", close.closeReason());
            assertTrue(server.calls().find("quiet").isPresent(), "the call goes on; only the subscriber was closed");
        }
    }
}
