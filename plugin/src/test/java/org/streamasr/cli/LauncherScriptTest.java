package org.streamasr.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streamasr.testing.SharedFixtures;

/**
 * {@code bin/asr}'s build step, with stand-ins for {@code mvn} and {@code java} on the PATH: when it builds, with
 * which Maven arguments, and that a build leaves only its own jars in {@code tools/target/lib} (a CPU build's
 * onnxruntime jar next to a CUDA build's onnxruntime_gpu would put two ONNX Runtimes on the class path).
 */
class LauncherScriptTest {
    @TempDir
    Path root;

    Path mvnLog;

    @BeforeEach
    void layout() throws IOException {
        Files.createDirectories(root.resolve("bin"));
        Files.copy(SharedFixtures.repoRoot().resolve("bin/asr"), root.resolve("bin/asr"));
        for (String source : List.of("plugin/src/main/A.java", "media-adapters/src/main/B.java", "tools/src/main/C.java",
                "test-kit/src/main/D.java", "pom.xml", "plugin/pom.xml", "media-adapters/pom.xml", "tools/pom.xml",
                "test-kit/pom.xml")) {
            Files.createDirectories(root.resolve(source).getParent());
            Files.writeString(root.resolve(source), "");
            Files.setLastModifiedTime(root.resolve(source), FileTime.from(Instant.now().minusSeconds(3600)));
        }
        Path fake = Files.createDirectories(root.resolve("fakebin"));
        mvnLog = root.resolve("mvn.log");
        // mvn: records its arguments; "builds" the jar and copies the ONNX Runtime of the chosen flavour into lib/
        executable(fake.resolve("mvn"), """
                #!/usr/bin/env bash
                echo "$*" >> "%s"
                t="%s/tools/target"; mkdir -p "$t/lib"; touch "$t/streamasr-tools.jar"
                case " $* " in *" -Pcuda "*) touch "$t/lib/onnxruntime_gpu-1.29.0.jar";;
                  *) touch "$t/lib/onnxruntime-1.29.0.jar";; esac
                """.formatted(mvnLog, root));
        executable(fake.resolve("java"), "#!/usr/bin/env bash\necho \"java ran\"\n");
    }

    private static void executable(Path file, String text) throws IOException {
        Files.writeString(file, text);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    /** Runs bin/asr -V with {@code env}; returns the Maven command lines it ran. */
    private List<String> run(Map<String, String> env) throws Exception {
        Files.deleteIfExists(mvnLog);
        ProcessBuilder pb = new ProcessBuilder(root.resolve("bin/asr").toString(), "-V")
                .redirectErrorStream(true).redirectOutput(root.resolve("out.log").toFile());
        pb.environment().remove("ASR_MAVEN_ARGS");
        pb.environment().remove("ASR_NO_BUILD");
        pb.environment().put("PATH", root.resolve("fakebin") + ":" + System.getenv("PATH"));
        pb.environment().putAll(env);
        Process p = pb.start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "bin/asr finished");
        String out = Files.readString(root.resolve("out.log"));
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("java ran"), out);
        return Files.exists(mvnLog) ? Files.readAllLines(mvnLog) : List.of();
    }

    private List<String> lib() throws IOException {
        try (Stream<Path> jars = Files.list(root.resolve("tools/target/lib"))) {
            return jars.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void aCudaBuildReplacesTheCpuOnesJarsAndStaysACudaBuild() throws Exception {
        List<String> first = run(Map.of());
        assertEquals(1, first.size(), "first use builds");
        assertTrue(!first.get(0).contains("-Pcuda"), first.get(0));
        assertEquals(List.of("onnxruntime-1.29.0.jar"), lib());
        assertEquals(List.of(), run(Map.of()), "nothing changed: no build");

        List<String> cuda = run(Map.of("ASR_MAVEN_ARGS", "-Pcuda"));
        assertEquals(1, cuda.size(), "other Maven arguments: a build");
        assertTrue(cuda.get(0).contains("-Pcuda"), cuda.get(0));
        assertEquals(List.of("onnxruntime_gpu-1.29.0.jar"), lib(), "only the CUDA build's ONNX Runtime");

        assertEquals(List.of(), run(Map.of()), "ASR_MAVEN_ARGS unset keeps the CUDA build");
        Files.setLastModifiedTime(root.resolve("plugin/src/main/A.java"), FileTime.from(Instant.now().plusSeconds(5)));
        List<String> rebuilt = run(Map.of());
        assertEquals(1, rebuilt.size(), "a newer source: a build");
        assertTrue(rebuilt.get(0).contains("-Pcuda"), "with the arguments of the last build: " + rebuilt.get(0));
        assertTrue(rebuilt.get(0).contains("-pl tools -am"), "the tools and what they need: " + rebuilt.get(0));
        Files.setLastModifiedTime(root.resolve("plugin/src/main/A.java"), FileTime.from(Instant.now().minusSeconds(3600)));
        assertEquals(List.of(), run(Map.of()), "built: no build");
        Files.setLastModifiedTime(root.resolve("tools/src/main/C.java"), FileTime.from(Instant.now().plusSeconds(5)));
        assertEquals(1, run(Map.of()).size(), "a newer tools source: a build");

        List<String> cpu = run(Map.of("ASR_MAVEN_ARGS", ""));
        assertEquals(1, cpu.size(), "set to nothing: back to the CPU build");
        assertEquals(List.of("onnxruntime-1.29.0.jar"), lib());
    }
}
