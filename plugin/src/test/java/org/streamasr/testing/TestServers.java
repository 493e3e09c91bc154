package org.streamasr.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.streamasr.server.ConfigLoader;
import org.streamasr.server.ServerConfig;

/** Server configs for tests: an ephemeral port on the loopback interface, plus the test's own settings. */
public final class TestServers {
    private TestServers() {
    }

    public static ServerConfig config(Map<String, Object> settings) {
        return config(Map.of(), settings);
    }

    /** As {@link #config(Map)}, with {@code env} standing in for the process environment (ASR_* variables). */
    public static ServerConfig config(Map<String, String> env, Map<String, Object> settings) {
        Map<String, Object> flags = new LinkedHashMap<>();
        flags.put("asr.server.host", "127.0.0.1");
        flags.put("asr.server.port", 0);
        flags.put("asr.server.network-threads", 4);
        flags.put("asr.server.event-threads", 2);
        flags.put("asr.server.shutdown-grace", "5s");
        flags.put("asr.media.rtp.port-min", 0);
        flags.put("asr.media.rtp.port-max", 0);
        flags.put("asr.media.cpu-threads", 2);
        flags.put("asr.media.audiosocket.port", 0);
        flags.put("asr.riva.port", 0);
        flags.put("asr.api.store-dir", apiStoreDir().toString());
        // Test servers run without a VAD unless a test gives one (tone clips are not speech to Silero).
        flags.put("asr.engine.vad-model", null);
        flags.putAll(settings);
        return ServerConfig.from(ConfigLoader.load(null, env, flags));
    }

    /** A fresh directory for the hosted API's store (deleted when the JVM exits): tests never share one. */
    public static Path apiStoreDir() {
        try {
            Path dir = Files.createTempDirectory("asr-api-test-");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(dir), "delete-" + dir.getFileName()));
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> all = Files.walk(dir)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // best effort at exit
        }
    }

    public static ServerConfig config() {
        return config(Map.of());
    }
}
