package org.streamasr.cluster;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.streamasr.testing.RequiredTools;

/**
 * A real {@code nats-server} (Debian's) as a child process: JetStream in a directory of the test, on a free loopback
 * port. Missing, it skips the test (fails under ASR_REQUIRE_TOOLS=1).
 */
final class NatsServerProcess implements AutoCloseable {
    private Process process;
    private final int port;
    private final Path dir;
    private final Path log;

    private NatsServerProcess(Process process, int port, Path dir, Path log) {
        this.process = process;
        this.port = port;
        this.dir = dir;
        this.log = log;
    }

    /** The nats-server command: on the PATH, or Debian's /usr/sbin (not on every user's PATH). */
    static String command() {
        if (RequiredTools.onPath("nats-server")) return "nats-server";
        Path sbin = Path.of("/usr/sbin/nats-server");
        RequiredTools.require(Files.isExecutable(sbin),
                "nats-server not installed (Debian package nats-server; scripts/install-debian-packages test)");
        return sbin.toString();
    }

    static NatsServerProcess start(Path dir) throws Exception {
        int port = freePort();
        NatsServerProcess s = new NatsServerProcess(null, port, dir, dir.resolve("nats-" + port + ".log"));
        s.launch();
        return s;
    }

    /** Starts the server again on the same port and JetStream directory (after {@link #close()}). */
    void restart() throws Exception {
        launch();
    }

    private void launch() throws Exception {
        Path store = Files.createDirectories(dir.resolve("jetstream-" + port));
        Files.deleteIfExists(log);
        List<String> args = new ArrayList<>(List.of(command(), "-js", "-sd", store.toString(), "-a", "127.0.0.1",
                "-p", Integer.toString(port)));
        process = new ProcessBuilder(args).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) throw new IllegalStateException("nats-server exited: " + Files.readString(log));
            if (Files.exists(log) && Files.readString(log).contains("Server is ready") && accepts(port)) return;
            Thread.sleep(50);   // polling a child process' start, not waiting for behaviour under test
        }
        close();
        throw new IllegalStateException("nats-server did not start in 20 s: " + Files.readString(log));
    }

    String url() {
        return "nats://127.0.0.1:" + port;
    }

    String log() throws IOException {
        return Files.readString(log);
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static boolean accepts(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process == null) return;
        process.destroy();
        if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) process.destroyForcibly().waitFor();
    }
}
