package org.streamasr.cluster;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.streamasr.testing.Http;

/**
 * One node as its own JVM: {@code AsrMain serve} (what bin/asr runs) on the test's class path, so a test can
 * {@code kill -9} it ({@link #kill()}) or send it SIGTERM ({@link #terminate()}). Its output goes to a log file that a
 * failing assertion can show.
 */
final class NodeProcess implements AutoCloseable {
    private final String id;
    private final int port;
    private final Process process;
    private final Path log;
    private final Http http;

    private NodeProcess(String id, int port, Process process, Path log) {
        this.id = id;
        this.port = port;
        this.process = process;
        this.log = log;
        this.http = new Http(URI.create("http://127.0.0.1:" + port));
    }

    /** Starts {@code bin/asr serve --nats URL --node-id ID --port P} with {@code settings} (-D key=value each). */
    static NodeProcess start(Path dir, String id, String natsUrl, List<String> settings) throws Exception {
        int port = NatsServerProcess.freePort();
        Path log = dir.resolve("node-" + id + ".log");
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx384m", "-XX:TieredStopAtLevel=1", "-cp", classPath, "org.streamasr.cli.AsrMain", "serve",
                "--host", "127.0.0.1", "--port", Integer.toString(port), "--nats", natsUrl, "--node-id", id,
                "-D", "asr.api.store-dir=" + dir.resolve("store-" + id), "-D", "asr.riva.port=0"));
        for (String s : settings) {
            cmd.add("-D");
            cmd.add(s);
        }
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().remove("ASR_API_KEYS");
        NodeProcess node = new NodeProcess(id, port, pb.start(), log);
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (true) {
            if (!node.process.isAlive()) throw new AssertionError("node " + id + " exited at start:\n" + node.log());
            try {
                if (node.http.get("/health").status() == 200) return node;
            } catch (IOException e) {
                // not listening yet
            }
            if (System.nanoTime() > deadline) {
                node.close();
                throw new AssertionError("node " + id + " did not answer /health in 90 s:\n" + node.log());
            }
            Thread.sleep(200);   // polling a child JVM's start
        }
    }

    String id() {
        return id;
    }

    Http http() {
        return http;
    }

    String base() {
        return "http://127.0.0.1:" + port;
    }

    boolean alive() {
        return process.isAlive();
    }

    /** {@code kill -9}: the JVM gets no chance to hand anything back. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** SIGTERM: the node drains. */
    void terminate() {
        process.destroy();
    }

    boolean awaitExit(Duration d) throws InterruptedException {
        return process.waitFor(d.toMillis(), TimeUnit.MILLISECONDS);
    }

    String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() throws InterruptedException {
        http.close();
        if (process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }
}
