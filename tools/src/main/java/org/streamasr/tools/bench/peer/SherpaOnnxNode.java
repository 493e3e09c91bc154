package org.streamasr.tools.bench.peer;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * sherpa-onnx for Node ({@value #PACKAGE}@{@value #VERSION}, native libraries and ONNX Runtime included), installed
 * with npm into a cache directory the first time: a benchmark-only dependency, not part of the product. The node
 * side of {@link PeerBenchmark} is copied next to its {@code node_modules} so that {@code require} finds it.
 */
public final class SherpaOnnxNode {
    public static final String PACKAGE = "sherpa-onnx-node";
    public static final String VERSION = "1.13.8";
    static final String SCRIPT = "sherpa-peer-run.cjs";

    private final Path directory;

    private SherpaOnnxNode(Path directory) {
        this.directory = directory;
    }

    /** The default cache: {@code $XDG_CACHE_HOME} (or {@code ~/.cache}) {@code /streamasr/sherpa-onnx-node-VERSION}. */
    public static Path defaultDirectory() {
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path cache = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return cache.resolve("streamasr").resolve(PACKAGE + "-" + VERSION);
    }

    /** Installs the package into {@code directory} unless that version is there already, and writes the script. */
    public static SherpaOnnxNode install(Path directory, java.io.PrintWriter log) throws IOException, InterruptedException {
        Files.createDirectories(directory);
        Path installed = directory.resolve("node_modules").resolve(PACKAGE).resolve("package.json");
        if (!Files.isRegularFile(installed) || !Files.readString(installed).contains("\"version\": \"" + VERSION + "\"")) {
            log.println("installing " + PACKAGE + "@" + VERSION + " into " + directory + " (npm) ...");
            log.flush();
            run(List.of("npm", "install", "--no-audit", "--no-fund", "--no-save", "--prefix", directory.toString(),
                    PACKAGE + "@" + VERSION), directory);
        }
        try (InputStream in = SherpaOnnxNode.class.getResourceAsStream(SCRIPT)) {
            if (in == null) throw new IOException(SCRIPT + " is missing from the class path");
            Files.copy(in, directory.resolve(SCRIPT), StandardCopyOption.REPLACE_EXISTING);
        }
        return new SherpaOnnxNode(directory);
    }

    public Path directory() {
        return directory;
    }

    public Path script() {
        return directory.resolve(SCRIPT);
    }

    private static void run(List<String> cmd, Path dir) throws IOException, InterruptedException {
        Path log = Files.createTempFile("npm-", ".log");
        try {
            Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!p.waitFor(10, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", cmd) + " did not finish in 10 minutes");
            }
            if (p.exitValue() != 0) {
                throw new IOException(String.join(" ", cmd) + " failed:\n" + Files.readString(log, StandardCharsets.UTF_8));
            }
        } finally {
            Files.deleteIfExists(log);
        }
    }
}
