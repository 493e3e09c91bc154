package org.streamasr.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streamasr.engine.Acceleration;

class ConfigLoaderTest {
    @TempDir
    Path dir;

    @Test
    void referenceDefaultsAreValid() {
        ServerConfig c = ServerConfig.from(ConfigLoader.load(null, Map.of(), Map.of()));
        assertEquals(8080, c.port());
        assertEquals("0.0.0.0", c.host());
        assertNull(c.publicUrl());
        assertEquals(Duration.ofSeconds(60), c.calls().idleTimeout());
        assertEquals(1 << 20, c.captions().subscriberMaxQueuedBytes());
        assertEquals("sphinx", c.engine().engine());
        assertEquals(Acceleration.REGULAR, c.engine().defaultAcceleration());
        assertEquals(List.of(), c.apiKeys());
        assertTrue(c.models().isEmpty());
        assertEquals("32", c.engine().extra().get("sphinx.max-streams"));
        assertEquals(Duration.ofMillis(1500), c.calls().participantIdleFinalize());
        assertEquals(Duration.ofMillis(2300), c.calls().participantIdleSilence(), "trailing silence 800 ms + 1.5 s");
    }

    @Test
    void idleSilenceFollowsTheLongestTrailingSilenceUnlessSet() throws Exception {
        Path file = dir.resolve("idle.conf");
        Files.writeString(file, "asr.engine.endpoint-trailing-silence = 1s\n"
                + "asr.models { slow { name = nemotron, model-dir = \"/m\", endpoint-trailing-silence = 1200ms } }\n");
        assertEquals(Duration.ofMillis(2700), ServerConfig.from(ConfigLoader.load(file, Map.of(), Map.of())).calls()
                .participantIdleSilence());
        ServerConfig set = ServerConfig.from(ConfigLoader.load(file, Map.of(), Map.of(
                "asr.calls.participant-idle-silence", "3s", "asr.calls.participant-idle-finalize", "0")));
        assertEquals(Duration.ofSeconds(3), set.calls().participantIdleSilence());
        assertEquals(Duration.ZERO, set.calls().participantIdleFinalize());
        assertMessage("asr.calls.participant-idle-silence: must be between 100ms and 60s", Map.of(),
                Map.of("asr.calls.participant-idle-silence", "10ms"));
    }

    @Test
    void flagsBeatEnvironmentWhichBeatsTheFile() throws Exception {
        Path file = dir.resolve("my.conf");
        Files.writeString(file, "asr.server.port = 9000\nasr.calls.max = 7\nasr.server.host = \"10.0.0.1\"\n");
        Map<String, String> env = Map.of("ASR_PORT", "9100", "ASR_MAX_CALLS", "8", "ASR_API_KEYS", "k1, k2");
        ServerConfig c = ServerConfig.from(ConfigLoader.load(file, env, Map.of("asr.server.port", 9200)));
        assertEquals(9200, c.port());
        assertEquals(8, c.calls().maxCalls());
        assertEquals("10.0.0.1", c.host());
        assertEquals(List.of("k1", "k2"), c.apiKeys());
    }

    @Test
    void aBadValueIsNamedWithItsKey() {
        assertMessage("asr.server.port: must be between 0 and 65535, got 70000", Map.of("ASR_PORT", "70000"), Map.of());
        assertMessage("asr.calls.idle-timeout: bad value", Map.of("ASR_IDLE_TIMEOUT", "soon"), Map.of());
        assertMessage("asr.server.public-url: must be an http(s) URL", Map.of(), Map.of("asr.server.public-url", "ftp:x"));
        assertMessage("asr.engine.provider: must be one of cpu, cuda, got 'tpu'", Map.of("ASR_PROVIDER", "tpu"), Map.of());
        assertMessage("asr.engine.default-acceleration: unsupported acceleration 'warp'", Map.of(),
                Map.of("asr.engine.default-acceleration", "warp"));
        assertMessage("asr.server.prot: unknown setting", Map.of(), Map.of("asr.server.prot", 1));
    }

    @Test
    void namedModelsOverrideTheEngineSection() throws Exception {
        Path file = dir.resolve("models.conf");
        Files.writeString(file, "asr.models { fast { name = nemotron, model-dir = \"/m/80ms\", max-batch = 8 } }\n"
                + "asr.models { plain { name = sphinx } }\n");
        ServerConfig c = ServerConfig.from(ConfigLoader.load(file, Map.of(), Map.of()));
        assertEquals("nemotron", c.models().get("fast").engine());
        assertEquals(Path.of("/m/80ms"), c.models().get("fast").modelDir());
        assertEquals(8, c.models().get("fast").maxBatch());
        assertEquals("sphinx", c.models().get("plain").engine());
        Files.writeString(file, "asr.models { broken { name = nemotron } }\n");
        InvalidConfigException e = assertThrows(InvalidConfigException.class,
                () -> ServerConfig.from(ConfigLoader.load(file, Map.of(), Map.of())));
        assertTrue(e.getMessage().startsWith("asr.models.broken.model-dir"), e.getMessage());
    }

    @Test
    void theExampleConfigsAreValidOnceTheirPlaceholderKeyIsReplaced() {
        Map<String, String> env = Map.of("ASR_API_KEYS", "k1,k2");
        for (String name : List.of("jitsi.conf", "sip-platform.conf")) {
            Path file = org.streamasr.testing.SharedFixtures.repoRoot().resolve("config").resolve(name);
            InvalidConfigException e = assertThrows(InvalidConfigException.class,
                    () -> ServerConfig.from(ConfigLoader.load(file, Map.of(), Map.of())));
            assertEquals("asr.server.api-keys: 'change-me' is the example configs' placeholder; set your own keys "
                    + "(ASR_API_KEYS=k1,k2 overrides the file)", e.getMessage(), name);
            ServerConfig c = ServerConfig.from(ConfigLoader.load(file, env, Map.of()));
            assertEquals(8080, c.port(), name);
            assertEquals(List.of("k1", "k2"), c.apiKeys(), name);
        }
        Path root = org.streamasr.testing.SharedFixtures.repoRoot().resolve("config");
        MediaConfig jitsi = ServerConfig.from(ConfigLoader.load(root.resolve("jitsi.conf"), env, Map.of())).media();
        assertEquals(100, jitsi.mediaJson().maxSources());
        assertEquals(4096, jitsi.mediaJson().limits().outbound().maxQueuedMessages());
        assertTrue(jitsi.vosk() != null && jitsi.whisper() == null && jitsi.audioFork() == null && jitsi.twilio() == null
                && jitsi.audioSocket() == null && jitsi.rtp() == null, "jitsi.conf: Jitsi's adapters only");
        MediaConfig sip = ServerConfig.from(ConfigLoader.load(root.resolve("sip-platform.conf"), env, Map.of())).media();
        assertTrue(sip.mediaJson() == null && sip.vosk() == null, "sip-platform.conf: no Jitsi adapters");
        assertEquals(16_000, sip.audioFork().defaultSampleRate());
        assertEquals("stereo", sip.audioFork().defaultMix());
        assertEquals(16_000, sip.audioSocket().kindRates().get(0x12));
        assertEquals(500, sip.audioSocket().maxConnections());
        assertEquals(Map.of("asr.media.twilio.language", "en-US"), sip.languages());
        assertEquals(20_000, sip.rtp().portMin());
        assertTrue(sip.sip() != null, "sip-platform.conf: the SIP gateway is on");
        assertEquals(5060, sip.sip().port());
        assertEquals(List.of("udp", "tcp"), sip.sip().transports());
        assertEquals(List.of("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "127.0.0.1"), sip.sip().allowedSources());
    }

    @Test
    void aMissingOrBrokenFileIsReported() throws Exception {
        InvalidConfigException missing = assertThrows(InvalidConfigException.class,
                () -> ConfigLoader.load(dir.resolve("nope.conf"), Map.of(), Map.of()));
        assertTrue(missing.getMessage().contains("no such file"), missing.getMessage());
        Path broken = dir.resolve("broken.conf");
        Files.writeString(broken, "asr { server { port = \n");
        InvalidConfigException e = assertThrows(InvalidConfigException.class,
                () -> ConfigLoader.load(broken, Map.of(), Map.of()));
        assertTrue(e.getMessage().contains("broken.conf"), e.getMessage());
    }

    private static void assertMessage(String prefix, Map<String, String> env, Map<String, Object> flags) {
        InvalidConfigException e = assertThrows(InvalidConfigException.class,
                () -> ServerConfig.from(ConfigLoader.load(null, env, flags)));
        assertTrue(e.getMessage().startsWith(prefix), "'" + e.getMessage() + "' should start with '" + prefix + "'");
    }
}
