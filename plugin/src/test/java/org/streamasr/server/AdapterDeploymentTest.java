package org.streamasr.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.glassfish.tyrus.client.exception.DeploymentHandshakeException;
import org.junit.jupiter.api.Test;
import org.streamasr.media.adapter.WsTestClient;
import org.streamasr.stream.CallSession;
import org.streamasr.testing.ScriptedEngine;
import org.streamasr.testing.TestServers;

/** The server deploys each adapter with the settings of its own asr.media section. */
class AdapterDeploymentTest {
    private final ScriptedEngine engine = new ScriptedEngine();

    @Test
    void anAdapterLanguageTheEngineDoesNotServeStopsTheServerNamingTheKey() {
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> AsrServer.start(
                TestServers.config(Map.of("asr.media.twilio.language", "fr-FR")), engine, false));
        assertEquals("asr.media.twilio.language: engine scripted does not serve 'fr-FR'; it serves de-DE, en-US",
                e.getMessage());
    }

    @Test
    void adaptersGetTheirOwnLanguageLimitsAndSwitch() throws Exception {
        try (AsrServer server = AsrServer.start(TestServers.config(Map.of("asr.media.vosk.language", "de",
                "asr.media.vosk.max-message", "2KiB", "asr.media.twilio.enabled", false)), engine, false)) {
            try (WsTestClient jigasi = WsTestClient.connect(ws(server, "/vosk?callId=standup"))) {
                jigasi.sendText("{\"config\" : {\"sample_rate\" : 16000.0 }}");
                jigasi.sendBinary(new byte[4096]);    // over this adapter's 2 KiB: dropped, the connection goes on
                jigasi.sendBinary(new byte[1600]);
                CallSession call = await(() -> server.calls().find("standup").orElse(null));
                assertEquals("de-DE", call.language(), "the adapter's language, as the engine spells it");
                await(() -> engine.streams().isEmpty() ? null : engine.streams().get(0).acceptedSamples() == 800 ? true : null);
                assertEquals(1L, server.mediaMetrics().dropCounter("vosk").count("message-too-big"));
                assertTrue(jigasi.isOpen());
            }
            try (WsTestClient jigasi = WsTestClient.connect(ws(server, "/vosk/en-US?callId=other"))) {
                jigasi.sendText("{\"config\" : {\"sample_rate\" : 16000.0 }}");
                jigasi.sendBinary(new byte[640]);
                assertEquals("en-US", await(() -> server.calls().find("other").orElse(null)).language(),
                        "the connection's own language wins");
            }
            DeploymentHandshakeException refused = assertThrows(DeploymentHandshakeException.class,
                    () -> WsTestClient.connect(ws(server, "/twilio")).close());
            assertEquals(404, refused.getHttpStatusCode(), "a disabled adapter is not deployed");
        }
    }

    private static URI ws(AsrServer server, String pathAndQuery) {
        return URI.create(server.baseUri().toString().replaceFirst("^http", "ws") + pathAndQuery);
    }

    private static <T> T await(java.util.function.Supplier<T> value) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        T v;
        while ((v = value.get()) == null) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out");
            Thread.sleep(5);
        }
        return v;
    }
}
