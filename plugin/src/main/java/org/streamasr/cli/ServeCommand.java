package org.streamasr.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.streamasr.server.AsrServer;
import org.streamasr.server.ConfigLoader;
import org.streamasr.server.ServerConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import sun.misc.Signal;

/** {@code bin/asr serve}: runs the plugin server until SIGTERM/SIGINT, then shuts down gracefully. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Runs the server: call API, media adapters, live captions, hosted API, /health, /metrics.",
                "HTTP and every WebSocket share one port (8080 by default); AudioSocket is TCP 9092, RTP UDP "
                        + "10000-10999, SIP (with --sip) 5060. Settings come from, highest first: flags, ASR_* "
                        + "environment variables, --config FILE, and config/reference.conf (every setting "
                        + "documented). SIGTERM or Ctrl-C ends every call with its last finals delivered, then exits 0."})
public final class ServeCommand implements Callable<Integer> {

    @Option(names = "--config", paramLabel = "FILE", description = "HOCON config file (default: $ASR_CONFIG if set)")
    Path config;

    @Option(names = "--host", paramLabel = "HOST", description = "listen address (asr.server.host)")
    String host;

    @Option(names = "--port", paramLabel = "PORT", description = "HTTP/WebSocket port (asr.server.port)")
    Integer port;

    @Option(names = "--engine", paramLabel = "NAME", description = "default engine: sphinx or nemotron (asr.engine.name)")
    String engine;

    @Option(names = {"--model-dir", "--model"}, paramLabel = "DIR",
            description = "Nemotron export directory (asr.engine.model-dir)")
    Path modelDir;

    @Option(names = "--provider", paramLabel = "P", description = "ONNX Runtime provider: cpu or cuda (asr.engine.provider)")
    String provider;

    @Option(names = "--public-url", paramLabel = "URL", description = "base URL in captionsUrl replies")
    String publicUrl;

    @Option(names = "--sip", description = "enable the SIP gateway on asr.sip.port (5060 by default)")
    boolean sip;

    @Option(names = "--sip-port", paramLabel = "PORT",
            description = "enable the SIP gateway on this port, for each of asr.sip.transports (asr.sip.port; 0 picks a free one)")
    Integer sipPort;

    @Option(names = "--nats", paramLabel = "URL",
            description = "cluster mode: join the nodes on this NATS JetStream, e.g. nats://nats1:4222 (asr.cluster.nats.url)")
    String nats;

    @Option(names = "--node-id", paramLabel = "ID",
            description = "this node's id in the cluster (asr.cluster.node-id; default: host name + port)")
    String nodeId;

    @Option(names = "--riva-port", paramLabel = "PORT",
            description = "NVIDIA Riva gRPC port (asr.riva.port, 50051 by default; 0 picks a free one)")
    Integer rivaPort;

    @Option(names = {"-D", "--set"}, paramLabel = "KEY=VALUE",
            description = "any setting, e.g. -D asr.calls.max=50 (repeatable)")
    Map<String, String> settings = new LinkedHashMap<>();

    @Override
    public Integer call() throws Exception {
        CountDownLatch stop = new CountDownLatch(1);
        // SIGTERM and Ctrl-C drain the server on this thread, which then exits 0: a graceful stop is a success for
        // systemd and container runtimes (the JVM's own handling would exit 143). A second signal stops at once.
        // Installed before the server starts: its hosted-API workers take queue requests while the rest still starts
        // (Riva, SIP), and a SIGTERM then must drain (hand them back) once start-up is done, not kill the JVM.
        for (String name : new String[] {"TERM", "INT"}) {
            Signal.handle(new Signal(name), signal -> {
                if (stop.getCount() == 0) Runtime.getRuntime().halt(128 + signal.getNumber());
                stop.countDown();
            });
        }
        AsrServer server = AsrServer.start(ServerConfig.from(loadConfig()));
        // Any other way the JVM ends (SIGHUP, an error elsewhere) still closes the server.
        Runtime.getRuntime().addShutdownHook(org.streamasr.runtime.NamedThreads.thread(server::close, "asr-shutdown", false));
        if (stop.getCount() == 0) {
            System.out.println("streamasr: stop requested while starting; draining now");
            server.close();
            return 0;
        }
        System.out.println("streamasr serving on " + server.baseUri() + " (captions page: " + server.baseUri()
                + "/, metrics: " + server.baseUri() + "/metrics"
                + (server.rivaPort() > 0 ? ", Riva gRPC on port " + server.rivaPort() : "")
                + (server.sipPort() > 0 ? ", SIP on port " + server.sipPort() + " "
                        + String.join("/", server.sipTransports()).toUpperCase(java.util.Locale.ROOT) : "")
                + "). Ctrl-C or SIGTERM stops it gracefully.");
        stop.await();
        server.close();
        return 0;
    }

    com.typesafe.config.Config loadConfig() {
        Map<String, Object> flags = new LinkedHashMap<>(settings);
        if (host != null) flags.put("asr.server.host", host);
        if (port != null) flags.put("asr.server.port", port);
        if (engine != null) flags.put("asr.engine.name", engine);
        if (modelDir != null) flags.put("asr.engine.model-dir", modelDir.toString());
        if (provider != null) flags.put("asr.engine.provider", provider);
        if (publicUrl != null) flags.put("asr.server.public-url", publicUrl);
        if (sip || sipPort != null) flags.put("asr.sip.enabled", true);
        if (sipPort != null) flags.put("asr.sip.port", sipPort);
        if (nats != null) flags.put("asr.cluster.nats.url", nats);
        if (nodeId != null) flags.put("asr.cluster.node-id", nodeId);
        if (rivaPort != null) flags.put("asr.riva.port", rivaPort);
        Path file = config;
        String fromEnv = System.getenv("ASR_CONFIG");
        if (file == null && fromEnv != null && !fromEnv.isBlank()) file = Path.of(fromEnv);
        return ConfigLoader.load(file, System.getenv(), flags);
    }
}
