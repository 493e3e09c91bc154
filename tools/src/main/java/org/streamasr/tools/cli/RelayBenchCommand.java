package org.streamasr.tools.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.streamasr.engine.SpeechEngine;
import org.streamasr.engine.SpeechEngines;
import org.streamasr.server.ConfigLoader;
import org.streamasr.server.ServerConfig;
import org.streamasr.tools.bench.CaptionRelayBench;
import org.streamasr.tools.demo.DemoConversation;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code bin/asr bench-relay}: what the captions relay between cluster nodes adds (README "Cluster mode"). */
@Command(name = "bench-relay", mixinStandardHelpOptions = true,
        description = {"Measures what the captions relay between cluster nodes adds to a caption's delivery.",
                "Starts two nodes in this process on the NATS server given, runs calls on the first fed real speech in "
                        + "real time, reads each call's captions on both nodes, and prints p50/p99 of publish → local "
                        + "socket, publish → relayed socket, and their difference.",
                "Example: nats-server -js -p 4222 & bin/asr bench-relay --nats nats://127.0.0.1:4222 --calls 4"})
public final class RelayBenchCommand implements Callable<Integer> {

    @Option(names = "--nats", paramLabel = "URL", required = true, description = "a NATS server with JetStream")
    String nats;

    @Option(names = "--calls", paramLabel = "N", description = "concurrent calls (default 4)")
    int calls = 4;

    @Option(names = "--seconds", paramLabel = "S", description = "seconds of speech per call (default 30)")
    int seconds = 30;

    @Option(names = "--engine", paramLabel = "NAME", description = "sphinx (default) or nemotron")
    String engine = "sphinx";

    @Option(names = {"--model-dir", "--model"}, paramLabel = "DIR", description = "model directory (asr.engine.model-dir)")
    Path modelDir;

    @Option(names = "--clips", paramLabel = "DIR", description = "16 kHz speech clips (default Debian's LibriVox)")
    Path clips = DemoConversation.DEBIAN_CLIPS;

    @Override
    public Integer call() throws Exception {
        if (calls < 1) throw new IllegalArgumentException("--calls must be at least 1, got " + calls);
        if (seconds < 1) throw new IllegalArgumentException("--seconds must be at least 1, got " + seconds);
        ServerConfig a = node("bench-relay-a");
        ServerConfig b = node("bench-relay-b");
        try (SpeechEngine e = SpeechEngines.open(a.engine())) {
            CaptionRelayBench.Result r = new CaptionRelayBench(a, b, e, LoadTestCommand.speech(clips))
                    .run(calls, Duration.ofSeconds(seconds));
            System.out.printf(Locale.ROOT, "bench-relay: engine %s, %d calls, %d s, %d cores; %d caption events seen on "
                    + "both sockets%n", e.name(), calls, seconds, Runtime.getRuntime().availableProcessors(), r.events());
            System.out.printf(Locale.ROOT, "  publish -> local socket    p50 %6.2f ms   p99 %6.2f ms%n", r.localP50(),
                    r.localP99());
            System.out.printf(Locale.ROOT, "  publish -> relayed socket  p50 %6.2f ms   p99 %6.2f ms%n", r.relayedP50(),
                    r.relayedP99());
            System.out.printf(Locale.ROOT, "  added by the relay         p50 %6.2f ms   p99 %6.2f ms%n", r.addedP50(),
                    r.addedP99());
        }
        return 0;
    }

    private ServerConfig node(String id) {
        Map<String, Object> flags = new LinkedHashMap<>();
        flags.put("asr.server.host", "127.0.0.1");
        flags.put("asr.server.port", 0);
        flags.put("asr.media.rtp.port-min", 0);
        flags.put("asr.media.rtp.port-max", 0);
        flags.put("asr.media.audiosocket.port", 0);
        flags.put("asr.riva.enabled", false);
        flags.put("asr.api.enabled", false);
        flags.put("asr.cluster.nats.url", nats);
        flags.put("asr.cluster.node-id", id);
        flags.put("asr.engine.name", engine);
        if (modelDir != null) flags.put("asr.engine.model-dir", modelDir.toString());
        return ServerConfig.from(ConfigLoader.load(null, Map.of(), flags));
    }
}
