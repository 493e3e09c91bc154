package org.streamasr.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Nats;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streamasr.media.CallHandle;
import org.streamasr.media.CallSpec;
import org.streamasr.media.ParticipantAudio;
import org.streamasr.media.ParticipantSpec;
import org.streamasr.media.PcmFrame;
import org.streamasr.media.TranscriptListener;
import org.streamasr.media.adapter.Poll;
import org.streamasr.media.adapter.TestAudio;
import org.streamasr.server.AsrServer;
import org.streamasr.testing.Http;
import org.streamasr.testing.TestServers;
import org.streamasr.testing.WebSocketRecorder;

/**
 * Captions anywhere: a call held by node a (this JVM, sphinx recognising real speech) read over the real captions
 * WebSocket of node b (its own JVM) on one NATS server. A subscriber on b from the start and a late joiner on b (replay
 * of the recent finals, then live) see exactly the finals a local subscriber on a sees, in order; a wrong token is
 * refused on b as on a; the call's end, by a DELETE on b, reaches b's subscribers as the same ended frame and close.
 * And no relay traffic while no other node listens. A relayed subscriber counts in its serving node's caption
 * subscriber metrics (not the owner's) until it leaves or the relay ends.
 */
class CaptionsRelayTest {
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aCallsCaptionsAreServedByAnotherNodeWithReplayLiveEventsAndTheEnd(@TempDir Path dir) throws Exception {
        short[] speech = TestAudio.clip("sense_and_sensibility_01_austen_64kb-0880.wav", 6);
        try (NatsServerProcess nats = NatsServerProcess.start(dir);
             AsrServer a = AsrServer.start(TestServers.config(Map.of("asr.engine.name", "sphinx",
                     "asr.cluster.nats.url", nats.url(), "asr.cluster.node-id", "a")));
             NodeProcess b = NodeProcess.start(dir, "b", nats.url(), List.of("asr.engine.name=sphinx",
                     "asr.media.rtp.port-min=0", "asr.media.rtp.port-max=0", "asr.media.audiosocket.port=0",
                     "asr.server.network-threads=4", "asr.server.event-threads=2", "asr.media.cpu-threads=1"));
             Http httpA = new Http(a.baseUri())) {
            Http.Reply created = httpA.post("/v1/calls", "{\"callId\": \"relayed\"}");
            assertEquals(201, created.status(), created.body());
            String token = created.json().get("token").asText();
            String onA = "ws://" + a.baseUri().getAuthority() + "/v1/calls/relayed/captions?token=";
            String onB = b.base().replaceFirst("^http", "ws") + "/v1/calls/relayed/captions?token=";
            Poll.until(() -> listed(b.http(), "relayed"), Duration.ofSeconds(20), () -> "node b listing the call");

            // A wrong token and an unknown call are refused on b exactly as on a.
            for (String uri : new String[] {onB + "guess", onB.replace("relayed", "nope") + token}) {
                try (WebSocketRecorder refused = WebSocketRecorder.connect(URI.create(uri))) {
                    WebSocketRecorder.Event e = refused.next(WAIT);
                    assertEquals(1008, e.closeCode(), uri);
                    assertEquals("unknown call or wrong token", e.closeReason());
                }
            }

            try (WebSocketRecorder local = WebSocketRecorder.connect(URI.create(onA + token));
                 WebSocketRecorder early = WebSocketRecorder.connect(URI.create(onB + token))) {
                Poll.until(() -> a.captions().subscriberCount() == 1, Duration.ofSeconds(10), () -> "a's subscriber");
                CallHandle call = a.calls().openCall(CallSpec.of("relayed", "fork"), TranscriptListener.NONE);
                List<JsonNode> seenLocally = new ArrayList<>();
                speak(call, "alice", "Alice", speech);
                // The first final of alice on a: the late joiner below gets it in its replay.
                Poll.until(() -> hasFinal(drain(local, seenLocally)), WAIT, () -> "alice's first final on a");

                try (WebSocketRecorder late = WebSocketRecorder.connect(URI.create(onB + token))) {
                    speak(call, "bob", "Bob", speech);
                    Poll.until(() -> finals(drain(local, seenLocally)).stream().anyMatch(f -> f.startsWith("bob")), WAIT,
                            () -> "bob's finals on a");
                    assertEquals(200, b.http().delete("/v1/calls/relayed").status());
                    call.close();

                    List<JsonNode> aAll = untilEnded(local, seenLocally);
                    List<JsonNode> earlyAll = untilEnded(early, new ArrayList<>());
                    List<JsonNode> lateAll = untilEnded(late, new ArrayList<>());
                    List<String> expected = finals(aAll);
                    assertTrue(expected.size() >= 2, expected.toString());
                    assertEquals(expected, finals(earlyAll), "b's subscriber from the start: the same finals");
                    assertEquals(expected, finals(lateAll), "b's late joiner: replay, then live: the same finals");
                    assertTrue(lateAll.get(0).path("history").asBoolean(), "the late joiner starts with its replay");
                    assertFalse(lateAll.get(lateAll.size() - 2).path("history").asBoolean(), lateAll.toString());
                    for (List<JsonNode> seen : List.of(earlyAll, lateAll)) {
                        JsonNode ended = seen.get(seen.size() - 1);
                        assertEquals("ended", ended.get("type").asText(), ended.toString());
                        assertEquals("deleted", ended.get("reason").asText(), ended.toString());
                    }
                    assertEquals(1000, early.awaitClose(WAIT).closeCode());
                    assertEquals(1000, late.awaitClose(WAIT).closeCode());
                }
            }
        }
    }

    @Test
    void theOwnerPublishesACallsEventsOnlyWhileAnotherNodeListensAndAlwaysItsEnd(@TempDir Path dir) throws Exception {
        short[] speech = TestAudio.clip("sense_and_sensibility_01_austen_64kb-0880.wav", 4);
        try (NatsServerProcess nats = NatsServerProcess.start(dir);
             AsrServer a = AsrServer.start(TestServers.config(Map.of("asr.engine.name", "sphinx",
                     "asr.cluster.nats.url", nats.url(), "asr.cluster.node-id", "a")));
             AsrServer b = AsrServer.start(TestServers.config(Map.of("asr.engine.name", "sphinx",
                     "asr.cluster.nats.url", nats.url(), "asr.cluster.node-id", "b")));
             Http httpA = new Http(a.baseUri());
             Connection probe = Nats.connect(nats.url())) {
            // What crosses NATS for captions: the events subject of each call, and the relays' interest messages.
            List<String> relayed = new java.util.concurrent.CopyOnWriteArrayList<>();
            List<String> interest = new java.util.concurrent.CopyOnWriteArrayList<>();
            Dispatcher d = probe.createDispatcher();
            d.subscribe("asr.captions.*", m -> relayed.add(new String(m.getData(), StandardCharsets.UTF_8)));
            d.subscribe("asr.captions.interest.*", m -> interest.add(new String(m.getData(), StandardCharsets.UTF_8)));
            probe.flush(Duration.ofSeconds(5));

            String token = httpA.post("/v1/calls", "{\"callId\": \"quiet\"}").json().get("token").asText();
            String path = "/v1/calls/quiet/captions?token=" + token;
            try (WebSocketRecorder local = WebSocketRecorder.connect(URI.create(ws(a) + path))) {
                CallHandle call = a.calls().openCall(CallSpec.of("quiet", "fork"), TranscriptListener.NONE);
                List<JsonNode> seen = new ArrayList<>();
                speak(call, "alice", "Alice", speech);
                Poll.until(() -> finals(drain(local, seen)).stream().anyMatch(f -> f.startsWith("alice")), WAIT,
                        () -> "alice's final on a");
                assertEquals(List.of(), relayed, "nobody on another node listens: nothing published");

                Poll.until(() -> listedOn(b, "quiet"), Duration.ofSeconds(20), () -> "b's directory listing the call");
                try (WebSocketRecorder remote = WebSocketRecorder.connect(URI.create(ws(b) + path))) {
                    speak(call, "bob", "Bob", speech);
                    List<JsonNode> onB = new ArrayList<>();
                    Poll.until(() -> finals(drain(remote, onB)).stream().anyMatch(f -> f.startsWith("bob")), WAIT,
                            () -> "bob's final relayed to b");
                    assertTrue(relayed.stream().anyMatch(e -> e.contains("\"bob\"")), "published while b listens");
                    assertEquals(1.0, metric(b, "asr_caption_subscribers"), "b serves the relayed subscriber");
                    assertEquals(1.0, metric(b, "asr_caption_subscribers_opened_total"));
                    assertEquals(1.0, metric(a, "asr_caption_subscribers"), "a counts only its local subscriber");
                }
                Poll.until(() -> metric(b, "asr_caption_subscribers") == 0.0, Duration.ofSeconds(10),
                        () -> "b's relayed subscriber gone from its metrics");
                // b's last subscriber left: b closes its relay and says so; the owner stops publishing.
                Poll.until(() -> interest.stream().anyMatch(m -> m.contains("\"listening\":false")),
                        Duration.ofSeconds(20), () -> "b leaving the call's captions");
                Poll.until(() -> finals(drain(local, seen)).stream().anyMatch(f -> f.startsWith("bob")), WAIT,
                        () -> "bob's final on a");
                speak(call, "carol", "Carol", speech);
                Poll.until(() -> finals(drain(local, seen)).stream().anyMatch(f -> f.startsWith("carol")), WAIT,
                        () -> "carol's final on a");
                assertFalse(relayed.stream().anyMatch(e -> e.contains("\"carol\"")), "nobody listens again: " + relayed);
                call.close();
                assertEquals(200, httpA.delete("/v1/calls/quiet").status());
                Poll.until(() -> relayed.stream().anyMatch(e -> e.contains("\"ended\"")), Duration.ofSeconds(20),
                        () -> "the end is always published");
            }
        }
    }

    @Test
    void aRelayedCallWhoseOwnerDiesEndsForItsSubscribers(@TempDir Path dir) throws Exception {
        try (NatsServerProcess nats = NatsServerProcess.start(dir);
             NodeProcess a = NodeProcess.start(dir, "a", nats.url(), List.of("asr.engine.name=sphinx",
                     "asr.media.rtp.port-min=0", "asr.media.rtp.port-max=0", "asr.media.audiosocket.port=0",
                     "asr.server.network-threads=4", "asr.server.event-threads=2", "asr.media.cpu-threads=1"));
             AsrServer b = AsrServer.start(TestServers.config(Map.of("asr.engine.name", "sphinx",
                     "asr.cluster.nats.url", nats.url(), "asr.cluster.node-id", "b")));
             Connection probe = Nats.connect(nats.url())) {
            // The owner's answers to joins (on reply inboxes): b's subscriber has joined once a said yes.
            List<String> replies = new java.util.concurrent.CopyOnWriteArrayList<>();
            probe.createDispatcher().subscribe("_INBOX.>", m -> replies.add(new String(m.getData(),
                    StandardCharsets.UTF_8)));
            probe.flush(Duration.ofSeconds(5));
            Http.Reply created = a.http().post("/v1/calls", "{\"callId\": \"doomed\"}");
            assertEquals(201, created.status(), created.body());
            String token = created.json().get("token").asText();
            Poll.until(() -> listedOn(b, "doomed"), Duration.ofSeconds(20), () -> "b's directory listing the call");
            try (WebSocketRecorder remote = WebSocketRecorder.connect(
                    URI.create(ws(b) + "/v1/calls/doomed/captions?token=" + token))) {
                Poll.until(() -> replies.stream().anyMatch(r -> r.contains("\"ok\":true")), Duration.ofSeconds(10),
                        () -> "a admitting b's subscriber");
                Poll.until(() -> metric(b, "asr_caption_subscribers") == 1.0, Duration.ofSeconds(10),
                        () -> "b counting its relayed subscriber");
                a.kill();
                // Its directory entry expires (6 s); b's relay sees the call gone and ends it for its subscriber.
                JsonNode ended = remote.nextJson(Duration.ofSeconds(30));
                assertEquals("ended", ended.get("type").asText(), ended.toString());
                assertEquals("node a holding the call left", ended.get("reason").asText());
                assertEquals(1000, remote.awaitClose(WAIT).closeCode());
                Poll.until(() -> metric(b, "asr_caption_subscribers") == 0.0, Duration.ofSeconds(10),
                        () -> "the ended relay's subscriber gone from b's metrics");
                assertEquals(1.0, metric(b, "asr_caption_subscribers_opened_total"));
                assertEquals(0.0, metric(b, "asr_caption_subscribers_evicted_total"));
            }
        }
    }

    private static String ws(AsrServer s) {
        return "ws://" + s.baseUri().getAuthority();
    }

    /** The value of an unlabelled metric of {@code s}, from its /metrics. */
    private static double metric(AsrServer s, String name) {
        try (Http http = new Http(s.baseUri())) {
            for (String line : http.get("/metrics").body().split("\n")) {
                if (line.startsWith(name + " ")) return Double.parseDouble(line.substring(name.length() + 1).trim());
            }
            throw new AssertionError(name + " not in /metrics of " + s.baseUri());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static boolean listedOn(AsrServer s, String callId) {
        try (Http http = new Http(s.baseUri())) {
            return listed(http, callId);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static void speak(CallHandle call, String id, String name, short[] speech) throws Exception {
        ParticipantAudio p = call.openParticipant(new ParticipantSpec(id, name, null));
        for (int off = 0; off < speech.length; off += 1600) {
            p.push(PcmFrame.audio(Arrays.copyOfRange(speech, off, Math.min(speech.length, off + 1600)), off));
        }
        p.close();
    }

    /** Moves what {@code ws} received so far into {@code seen}; returns {@code seen}. */
    private static List<JsonNode> drain(WebSocketRecorder ws, List<JsonNode> seen) {
        try {
            for (WebSocketRecorder.Event e = ws.poll(); e != null; e = ws.poll()) {
                if (e.text() == null) throw new AssertionError("closed early: " + e + " after " + seen);
                seen.add(JSON.readTree(e.text()));
            }
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
        return seen;
    }

    /** Reads until the {@code ended} frame; returns everything, {@code seen} first. */
    private static List<JsonNode> untilEnded(WebSocketRecorder ws, List<JsonNode> seen) throws Exception {
        while (seen.isEmpty() || !"ended".equals(seen.get(seen.size() - 1).path("type").asText())) {
            WebSocketRecorder.Event e = ws.next(WAIT);
            if (e.text() == null) throw new AssertionError("closed before ended: " + e + " after " + seen);
            seen.add(JSON.readTree(e.text()));
        }
        return seen;
    }

    private static boolean hasFinal(List<JsonNode> seen) {
        return !finals(seen).isEmpty();
    }

    /** "participant: text" of every final, in order. */
    private static List<String> finals(List<JsonNode> seen) {
        List<String> out = new ArrayList<>();
        for (JsonNode e : seen) {
            if ("final".equals(e.path("type").asText())) out.add(e.get("participant").asText() + ": " + e.get("text").asText());
        }
        return out;
    }

    private static boolean listed(Http http, String callId) {
        try {
            for (JsonNode c : http.get("/v1/calls").json().get("calls")) {
                if (c.get("callId").asText().equals(callId)) return true;
            }
            return false;
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
