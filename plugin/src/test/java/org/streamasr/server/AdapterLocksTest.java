package org.streamasr.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.streamasr.media.adapter.WsTestClient;
import org.streamasr.media.fork.TwilioSignatureGuard;
import org.streamasr.testing.ScriptedEngine;
import org.streamasr.testing.TestServers;

/**
 * Issue 12, item 2: with asr.server.api-keys set, every WebSocket adapter wants a key in a form its media server can
 * send (MEDIAJSON a ?key= in Jicofo's URL template, Vosk the same or a header, mod_audio_fork/jambonz Basic auth,
 * Twilio a valid X-Twilio-Signature), and refuses others with 1008, counted "unauthorized"; without keys they stay
 * open.
 */
class AdapterLocksTest {
    private static final String KEY = "adapter-key-1";
    private static final String TWILIO_TOKEN = "twilio-auth-token";

    @Test
    void everyAdapterWantsAKeyInItsOwnForm() throws Exception {
        try (AsrServer server = AsrServer.start(TestServers.config(Map.of("asr.server.api-keys", List.of(KEY),
                "asr.media.twilio.auth-token", TWILIO_TOKEN)), new ScriptedEngine(), false)) {
            String ws = server.baseUri().toString().replaceFirst("^http", "ws");
            String basic = "Basic " + Base64.getEncoder().encodeToString(("fs:" + KEY).getBytes(StandardCharsets.UTF_8));
            String signature = TwilioSignatureGuard.sign(TWILIO_TOKEN.getBytes(StandardCharsets.UTF_8), ws + "/twilio");
            record Case(String component, String path, Map<String, String> good, List<String> subprotocols) {
            }
            for (Case c : List.of(
                    new Case("mediajson", "/mediajson/room1", Map.of(), List.of()),
                    new Case("vosk", "/vosk", Map.of("Authorization", "Bearer " + KEY), List.of()),
                    new Case("audio-fork", "/audio-fork/call1", Map.of("Authorization", basic), List.of("audiostream.drachtio.org")),
                    new Case("twilio", "/twilio", Map.of(TwilioSignatureGuard.HEADER, signature), List.of()))) {
                String goodPath = c.component().equals("mediajson") ? c.path() + "?key=" + KEY : c.path();
                var drops = server.mediaMetrics().dropCounter(c.component());
                long before = drops.count("unauthorized");
                try (WsTestClient ok = WsTestClient.connect(URI.create(ws + goodPath), c.subprotocols(), c.good());
                     WsTestClient none = WsTestClient.connect(URI.create(ws + c.path()), c.subprotocols(), Map.of());
                     WsTestClient wrong = WsTestClient.connect(URI.create(ws + c.path() + "?key=nope"), c.subprotocols(),
                             Map.of("Authorization", "Bearer nope", TwilioSignatureGuard.HEADER, "bm9wZQ=="))) {
                    assertEquals(1008, none.awaitClose(Duration.ofSeconds(10)).getCloseCode().getCode(), c.component());
                    assertEquals(1008, wrong.awaitClose(Duration.ofSeconds(10)).getCloseCode().getCode(), c.component());
                    assertEquals(before + 2, drops.count("unauthorized"), c.component() + ": both refusals counted");
                    assertTrue(ok.isOpen(), c.component() + ": the connection with its key stays open");
                }
            }
            // MEDIAJSON with its key works end to end
            try (WsTestClient jvb = WsTestClient.connect(URI.create(ws + "/mediajson/room2?key=" + KEY))) {
                jvb.sendText("{\"event\":\"ping\",\"id\":7}");
                assertTrue(jvb.awaitText(0).contains("pong"), jvb.texts().toString());
            }
        }
    }

    @Test
    void withoutKeysTheAdaptersStayOpen() throws Exception {
        try (AsrServer server = AsrServer.start(TestServers.config(Map.of()), new ScriptedEngine(), false);
             WsTestClient jvb = WsTestClient.connect(URI.create(server.baseUri().toString().replaceFirst("^http", "ws")
                     + "/mediajson/open-room"))) {
            jvb.sendText("{\"event\":\"ping\",\"id\":1}");
            assertTrue(jvb.awaitText(0).contains("pong"), jvb.texts().toString());
        }
    }
}
