package org.streamasr.engine.nemotron;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.streamasr.tools.testmodel.TestModelSpec;
import org.streamasr.tools.testmodel.TestModelVariant;
import org.streamasr.tools.testmodel.TestModelWriter;

/** Constructed models written once per test JVM (they take a moment) and deleted at exit. */
final class TestModels {
    private static final Map<String, Path> CACHE = new ConcurrentHashMap<>();

    private TestModels() {
    }

    static Path tiny(TestModelVariant variant) {
        return written(variant.name(), TestModelSpec.tiny(variant));
    }

    static synchronized Path written(String name, TestModelSpec spec) {
        return CACHE.computeIfAbsent(name, k -> {
            try {
                Path dir = Files.createTempDirectory("streamasr-test-model-" + k.toLowerCase(java.util.Locale.ROOT) + "-");
                TestModelWriter.write(spec, dir);
                Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteQuietly(dir)));
                return dir;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    static void deleteQuietly(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // temp files; the OS cleans up
        }
    }
}
