package org.streamasr.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streamasr.media.CallHandle;
import org.streamasr.media.CallSink;
import org.streamasr.media.CallSpec;
import org.streamasr.media.TranscriptListener;
import org.streamasr.media.adapter.OutboundQueue;
import org.streamasr.media.adapter.WsLimits;
import org.streamasr.media.fork.AudioForkConfig;
import org.streamasr.media.fork.AudioSocketConfig;
import org.streamasr.media.fork.TwilioConfig;
import org.streamasr.media.jigasi.JwtVerifier;
import org.streamasr.media.jigasi.VoskConfig;
import org.streamasr.media.jigasi.WhisperConfig;
import org.streamasr.media.jitsi.MediaJsonConfig;

/** asr.media read into the adapters' settings: the documented defaults, overrides, and every bad value named. */
class MediaConfigTest {
    private static final String SECRET = "a shared secret of at least 32 bytes, really";

    @TempDir
    Path dir;

    private static MediaConfig read(Map<String, String> env, Map<String, Object> flags) {
        return ServerConfig.from(ConfigLoader.load(null, env, flags)).media();
    }

    private static MediaConfig read(Map<String, Object> flags) {
        return read(Map.of(), flags);
    }

    private MediaConfig readFile(String hocon) throws Exception {
        Path file = dir.resolve("media.conf");
        Files.writeString(file, hocon);
        return ServerConfig.from(ConfigLoader.load(file, Map.of(), Map.of())).media();
    }

    private static void assertRefused(String prefix, Map<String, String> env, Map<String, Object> flags) {
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> read(env, flags));
        assertTrue(e.getMessage().startsWith(prefix), "'" + e.getMessage() + "' should start with '" + prefix + "'");
    }

    private static void assertRefused(String prefix, Map<String, Object> flags) {
        assertRefused(prefix, Map.of(), flags);
    }

    @Test
    void referenceConfDocumentsTheAdaptersOwnDefaults() {
        MediaConfig m = read(Map.of());
        assertEquals(MediaJsonConfig.defaults(), m.mediaJson());
        assertEquals(VoskConfig.defaults(), m.vosk());
        assertEquals(AudioForkConfig.defaults(), m.audioFork());
        assertEquals(TwilioConfig.defaults(), m.twilio());
        assertEquals(AudioSocketConfig.defaults(), m.audioSocket());
        assertNull(m.whisper(), "the Whisper endpoint needs a key: off by default");
        assertEquals(Map.of(), m.languages());
        assertEquals(1 << 20, m.maxMessageBytes());
    }

    @Test
    void eachAdapterHasItsOwnLimitsAndLanguage() throws Exception {
        MediaConfig m = readFile("""
                asr.media.websocket { max-message = 256KiB, max-outbound-messages = 64 }
                asr.media.vosk { max-message = 4MiB, language = "de-DE", paths = ["/stt/vosk/{lang}"] }
                asr.media.twilio { max-outbound = 2KiB, silence-cap = 500ms }
                asr.media.audio-fork { default-sample-rate = 16000, default-mix = "stereo", send-transcripts = false,
                                       subprotocols = ["audio.jambonz.org"] }
                asr.media.mediajson { max-sources = 8, language = "en-US" }
                """);
        assertEquals(new WsLimits(4 << 20, new OutboundQueue.Limits(1 << 20, 64), Duration.ofSeconds(60)), m.vosk().limits());
        assertEquals(List.of("/stt/vosk/{lang}"), m.vosk().paths());
        assertEquals(new WsLimits(256 << 10, new OutboundQueue.Limits(2048, 64), Duration.ofSeconds(60)), m.twilio().limits());
        assertEquals(256 << 10, m.mediaJson().limits().maxMessageBytes());
        assertEquals(Duration.ofMillis(500), m.twilio().silenceCap());
        assertEquals(new AudioForkConfig(List.of("/audio-fork", "/audio-fork/{callId}"), List.of("audio.jambonz.org"),
                16_000, "stereo", false, m.audioFork().limits()), m.audioFork());
        assertEquals(8, m.mediaJson().maxSources());
        assertEquals(Map.of("asr.media.vosk.language", "de-DE", "asr.media.mediajson.language", "en-US"), m.languages());
        assertEquals("de-DE", m.language("vosk"));
        assertNull(m.language("twilio"));
        assertEquals(4 << 20, m.maxMessageBytes());
    }

    @Test
    void audioSocketKindsCanBeRemappedAndRefused() throws Exception {
        MediaConfig m = readFile("""
                asr.media.audiosocket { port = 0, bind = "127.0.0.1", idle-timeout = 0, max-connections = 3,
                  kinds { "0x10" = 16000, "0x11" = null, "32" = 96000 } }
                """);
        AudioSocketConfig a = m.audioSocket();
        assertEquals(16_000, a.kindRates().get(0x10));
        assertNull(a.kindRates().get(0x11));
        assertEquals(96_000, a.kindRates().get(0x20));
        assertEquals(48_000, a.kindRates().get(0x16));
        assertEquals(Duration.ZERO, a.idleTimeout());
        assertEquals(3, a.maxConnections());
        assertEquals("127.0.0.1", a.host());
        InvalidConfigException e = assertThrows(InvalidConfigException.class,
                () -> readFile("asr.media.audiosocket.kinds { \"0x05\" = 8000 }"));
        assertTrue(e.getMessage().startsWith("asr.media.audiosocket.kinds.0x05: an audio kind is 0x10..0xfe"), e.getMessage());
        e = assertThrows(InvalidConfigException.class, () -> readFile("asr.media.audiosocket.kinds { \"0x10\" = 7000 }"));
        assertTrue(e.getMessage().startsWith("asr.media.audiosocket.kinds.0x10: must be between 8000"), e.getMessage());
    }

    @Test
    void badAdapterValuesAreNamedByKey() {
        assertRefused("asr.media.vosk.max-message: must be between 1024", Map.of("asr.media.vosk.max-message", "10"));
        assertRefused("asr.media.twilio.paths: 'twilio' must be a path", Map.of("asr.media.twilio.paths", List.of("twilio")));
        assertRefused("asr.media.audio-fork.default-sample-rate: must be a multiple of 8000",
                Map.of("asr.media.audio-fork.default-sample-rate", 12_000));
        assertRefused("asr.media.audio-fork.default-mix: must be one of mono, mixed, stereo",
                Map.of("asr.media.audio-fork.default-mix", "quad"));
        assertRefused("asr.media.vosk.default-sample-rate: must not exceed max-sample-rate",
                Map.of("asr.media.vosk.default-sample-rate", 48_000, "asr.media.vosk.max-sample-rate", 16_000));
        assertRefused("asr.media.mediajson.interim-stability: must be between 0.0 and 1.0",
                Map.of("asr.media.mediajson.interim-stability", 2));
        assertRefused("asr.media.vosk.paths: '/mediajson/{room}' is already served by asr.media.mediajson",
                Map.of("asr.media.vosk.paths", List.of("/mediajson/{room}")));
        assertRefused("asr.media.twilio.paths: '/v1/calls/{c}/captions' is already served by the captions endpoint",
                Map.of("asr.media.twilio.paths", List.of("/v1/calls/{c}/captions")));
        assertRefused("asr.media.twilio.max-outbound-messages: must be between 1",
                Map.of("asr.media.twilio.max-outbound-messages", 0));
    }

    @Test
    void whisperEnabledWithoutAKeyRefusesToStartUnlessOpen() {
        InvalidConfigException e = assertThrows(InvalidConfigException.class,
                () -> read(Map.of("ASR_WHISPER_ENABLED", "true"), Map.of()));
        assertTrue(e.getMessage().startsWith("asr.media.whisper: enabled without a key"), e.getMessage());
        assertTrue(e.getMessage().contains("open = true"), e.getMessage());

        WhisperConfig open = read(Map.of("ASR_WHISPER_ENABLED", "true", "ASR_WHISPER_OPEN", "true"), Map.of()).whisper();
        assertTrue(open.open());
        assertNull(open.jwt());
        assertEquals(WhisperConfig.openDefaults(), open);

        assertRefused("asr.media.whisper.open: true while JWT keys are configured",
                Map.of("ASR_WHISPER_ENABLED", "true", "ASR_WHISPER_OPEN", "true", "ASR_WHISPER_JWT_SECRET", SECRET), Map.of());
    }

    @Test
    void whisperSecretFromTheEnvironmentOrAFile() throws Exception {
        WhisperConfig fromEnv = read(Map.of("ASR_WHISPER_ENABLED", "true", "ASR_WHISPER_JWT_SECRET", SECRET), Map.of()).whisper();
        JwtVerifier jwt = fromEnv.jwt();
        assertNotNull(jwt);
        assertEquals("jitsi", jwt.audience());
        assertEquals("jigasi", jwt.issuer());
        assertEquals(Duration.ofSeconds(30), jwt.leeway());
        assertEquals(SECRET, new String(jwt.hmacSecrets().get(""), StandardCharsets.UTF_8));
        assertEquals(Map.of(), jwt.rsaKeys());

        Path file = dir.resolve("secret");
        Files.writeString(file, SECRET + "\n");
        WhisperConfig fromFile = read(Map.of("ASR_WHISPER_ENABLED", "true", "ASR_WHISPER_JWT_SECRET_FILE", file.toString()),
                Map.of("asr.media.whisper.jwt.audience", "meet", "asr.media.whisper.jwt.leeway", "5s")).whisper();
        assertEquals(SECRET, new String(fromFile.jwt().hmacSecrets().get(""), StandardCharsets.UTF_8), "trailing newline dropped");
        assertEquals("meet", fromFile.jwt().audience());
        assertEquals(Duration.ofSeconds(5), fromFile.jwt().leeway());

        assertRefused("asr.media.whisper.jwt.secret: an HMAC secret needs at least 32 bytes, got 5",
                Map.of("ASR_WHISPER_ENABLED", "true", "ASR_WHISPER_JWT_SECRET", "short"), Map.of());
        assertRefused("asr.media.whisper.jwt.secret-file: no such file: " + dir.resolve("nope"),
                Map.of("ASR_WHISPER_ENABLED", "true", "ASR_WHISPER_JWT_SECRET_FILE", dir.resolve("nope").toString()), Map.of());
    }

    @Test
    void whisperPublicKeysByFileValueAndKid() throws Exception {
        String pem = pem(2048);
        Path keyFile = dir.resolve("jigasi.pem");
        Files.writeString(keyFile, pem);
        MediaConfig m = readFile("""
                asr.media.whisper {
                  enabled = true
                  language = "en-US"
                  jwt {
                    public-key-file = "%s"
                    keys = [
                      { kid = "jigasi-key-2", public-key = \"\"\"%s\"\"\" },
                      { kid = "prosody", secret = "%s" }
                    ]
                    issuer = null
                  }
                  max-participants = 10
                }
                """.formatted(keyFile, pem, SECRET));
        JwtVerifier jwt = m.whisper().jwt();
        assertEquals(List.of("", "jigasi-key-2"), jwt.rsaKeys().keySet().stream().sorted().toList());
        assertEquals(List.of("prosody"), List.copyOf(jwt.hmacSecrets().keySet()));
        assertNull(jwt.issuer());
        assertEquals(10, m.whisper().maxParticipants());
        assertEquals("en-US", m.language("whisper"));

        Map<String, String> on = Map.of("ASR_WHISPER_ENABLED", "true");
        assertRefused("asr.media.whisper.jwt.keys[0].kid: each entry of keys needs a kid", on,
                Map.of("asr.media.whisper.jwt.keys", List.of(Map.of("secret", SECRET))));
        assertRefused("asr.media.whisper.jwt.keys[1].kid: kid 'a' given twice", on,
                Map.of("asr.media.whisper.jwt.keys", List.of(Map.of("kid", "a", "secret", SECRET), Map.of("kid", "a", "public-key", pem))));
        assertRefused("asr.media.whisper.jwt.keys[0].sekret: unknown field", on,
                Map.of("asr.media.whisper.jwt.keys", List.of(Map.of("kid", "a", "sekret", SECRET))));
        assertRefused("asr.media.whisper.jwt.keys[0]: no secret, secret-file, public-key or public-key-file", on,
                Map.of("asr.media.whisper.jwt.keys", List.of(Map.of("kid", "a"))));
        assertRefused("asr.media.whisper.jwt.keys[0].public-key: give one of secret, public-key", on,
                Map.of("asr.media.whisper.jwt.keys", List.of(Map.of("kid", "a", "secret", SECRET, "public-key", pem))));
        assertRefused("asr.media.whisper.jwt.public-key: not an RSA public key", on,
                Map.of("asr.media.whisper.jwt.public-key", "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----"));
        assertRefused("asr.media.whisper.jwt.public-key: an RSA key of 1024 bits; at least 2048", on,
                Map.of("asr.media.whisper.jwt.public-key", pem(1024)));
    }

    @Test
    void anAdapterLanguageFillsInOnlyWhatTheMediaServerLeftOpen() throws Exception {
        AtomicReference<CallSpec> opened = new AtomicReference<>();
        CallSink sink = (spec, listener) -> {
            opened.set(spec);
            return null;
        };
        CallSink german = MediaAdapters.withLanguage(sink, "de-DE");
        german.openCall(new CallSpec("c1", "vosk", null, Map.of("path", "/vosk")), TranscriptListener.NONE);
        assertEquals(new CallSpec("c1", "vosk", "de-DE", Map.of("path", "/vosk")), opened.get());
        german.openCall(new CallSpec("c2", "vosk", "en-US", Map.of()), TranscriptListener.NONE);
        assertEquals("en-US", opened.get().language());
        CallHandle unchanged = MediaAdapters.withLanguage(sink, null).openCall(CallSpec.of("c3", "x"), TranscriptListener.NONE);
        assertNull(unchanged);
        assertNull(opened.get().language());
    }

    private static String pem(int bits) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(bits);
        return "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder().encodeToString(g.generateKeyPair().getPublic().getEncoded())
                + "\n-----END PUBLIC KEY-----\n";
    }
}
