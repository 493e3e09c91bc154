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
 * port; alone ({@link #start}) or one of a NATS cluster joined by routes ({@link #startCluster}). Missing, it skips
 * the test (fails under ASR_REQUIRE_TOOLS=1).
 */
final class NatsServerProcess implements AutoCloseable {
    private Process process;
    private final int port;
    private final Path dir;
    private final Path log;
    /** Cluster mode: this server's name, route and monitoring ports and every server's route URL; null alone. */
    private final ClusterMember member;

    private record ClusterMember(String name, int routePort, int monitorPort, List<String> routes) {
    }

    private NatsServerProcess(Process process, int port, Path dir, Path log, ClusterMember member) {
        this.process = process;
        this.port = port;
        this.dir = dir;
        this.log = log;
        this.member = member;
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
        NatsServerProcess s = new NatsServerProcess(null, port, dir, dir.resolve("nats-" + port + ".log"), null);
        s.launch();
        return s;
    }

    /**
     * {@code size} servers named nats-1..nats-N forming the NATS cluster {@code asr} on loopback (client and route
     * ports free, each with its own JetStream directory), started together; returns once every one accepts clients
     * (the JetStream meta leader may still be in election: see {@link #awaitJetStream}).
     */
    static List<NatsServerProcess> startCluster(Path dir, int size) throws Exception {
        List<Integer> routePorts = new ArrayList<>();
        List<String> routes = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            int p = freePort();
            routePorts.add(p);
            routes.add("nats://127.0.0.1:" + p);
        }
        List<NatsServerProcess> servers = new ArrayList<>();
        try {
            for (int i = 0; i < size; i++) {
                int port = freePort();
                NatsServerProcess s = new NatsServerProcess(null, port, dir, dir.resolve("nats-" + port + ".log"),
                        new ClusterMember("nats-" + (i + 1), routePorts.get(i), freePort(), routes));
                s.spawn();
                servers.add(s);
            }
            for (NatsServerProcess s : servers) s.awaitReady();
        } catch (Exception | Error e) {
            for (NatsServerProcess s : servers) s.close();
            throw e;
        }
        return servers;
    }

    /** Waits until JetStream answers through {@code urls} (a cluster's meta leader elected). */
    static void awaitJetStream(List<String> urls, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        io.nats.client.Options o = new io.nats.client.Options.Builder().servers(urls.toArray(new String[0]))
                .connectionTimeout(Duration.ofSeconds(2)).build();
        try (io.nats.client.Connection c = io.nats.client.Nats.connect(o)) {
            while (true) {
                try {
                    c.jetStreamManagement().getAccountStatistics();
                    return;
                } catch (Exception e) {
                    if (System.nanoTime() > deadline) throw new IllegalStateException("JetStream not ready: " + e, e);
                }
                Thread.sleep(200);   // polling the NATS cluster's leader election
            }
        }
    }

    /** Starts the server again on the same port and JetStream directory (after {@link #close()}). */
    void restart() throws Exception {
        launch();
    }

    private void launch() throws Exception {
        spawn();
        awaitReady();
    }

    private void spawn() throws IOException {
        Path store = Files.createDirectories(dir.resolve("jetstream-" + port));
        Files.deleteIfExists(log);
        List<String> args = new ArrayList<>(List.of(command(), "-js", "-sd", store.toString(), "-a", "127.0.0.1",
                "-p", Integer.toString(port)));
        if (member != null) {
            args.addAll(List.of("-n", member.name(), "--cluster_name", "asr",
                    "--cluster", "nats://127.0.0.1:" + member.routePort(), "--routes", String.join(",", member.routes()),
                    "-m", Integer.toString(member.monitorPort())));
        }
        process = new ProcessBuilder(args).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    private void awaitReady() throws Exception {
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

    /** The server's name ({@code -n}) in cluster mode, else null. */
    String name() {
        return member == null ? null : member.name();
    }

    /** Whether a client connection named {@code connectionName} is on this server now (its /connz, cluster mode). */
    boolean holdsConnection(String connectionName) throws Exception {
        var c = (java.net.HttpURLConnection) java.net.URI.create("http://127.0.0.1:" + member.monitorPort()
                + "/connz?limit=1000").toURL().openConnection();
        c.setConnectTimeout(5000);
        c.setReadTimeout(5000);
        try (var in = c.getInputStream()) {
            String body = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            return body.contains("\"name\": \"" + connectionName + "\"") || body.contains("\"name\":\"" + connectionName + "\"");
        } finally {
            c.disconnect();
        }
    }

    /** SIGSTOP: the server stops answering but its connections stay open (a machine that lost power, to a client). */
    void freeze() throws Exception {
        signal("STOP");
    }

    /** SIGCONT after {@link #freeze()}. */
    void thaw() throws Exception {
        signal("CONT");
    }

    private void signal(String name) throws Exception {
        if (process == null || !process.isAlive()) return;
        int rc = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start().waitFor();
        if (rc != 0) throw new IllegalStateException("kill -" + name + " " + process.pid() + " failed: " + rc);
    }

    /** {@code kill -9}: the server gets no chance to hand anything over. */
    void kill() throws InterruptedException {
        if (process == null) return;
        process.destroyForcibly();
        process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
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
