package org.streamasr.tools.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.streamasr.tools.bench.LoadTest;
import org.streamasr.tools.demo.DemoConversation;
import org.streamasr.engine.SpeechEngine;
import org.streamasr.engine.SpeechEngines;
import org.streamasr.media.wav.WavFile;
import org.streamasr.server.ConfigLoader;
import org.streamasr.server.ServerConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bin/asr loadtest}: how many concurrent live calls this machine keeps up with in real time, the latency the
 * server adds to partials beyond the chunk itself (packet sent to partial received, over real sockets), and memory
 * per call. See README "Performance".
 */
@Command(name = "loadtest", mixinStandardHelpOptions = true,
        description = {"Finds how many concurrent live calls this machine keeps up with in real time.",
                "Runs N calls for each N given, until the server no longer keeps up: each a Jitsi-style MEDIAJSON "
                        + "WebSocket sending one speaker's Opus packets in real time, and a captions WebSocket; "
                        + "prints the latency the server adds to partials beyond the chunk (p50/p99), drops and "
                        + "memory per call.",
                "Example: bin/asr loadtest --engine nemotron --model-dir DIR --calls 1,2,4,8,16,32"})
public final class LoadTestCommand implements Callable<Integer> {

    @Option(names = "--calls", paramLabel = "N", split = ",", description = "call counts to try, in order (default 1,2,4,8,16,32,64)")
    List<Integer> calls = List.of(1, 2, 4, 8, 16, 32, 64);

    @Option(names = "--seconds", paramLabel = "S", description = "measured seconds per step (default 20)")
    int seconds = 20;

    @Option(names = "--warm-up", paramLabel = "S", description = "seconds per step before measuring (default 5)")
    int warmUp = 5;

    @Option(names = "--max-p99-ms", paramLabel = "MS", description = "a step keeps up only if partial latency p99 stays below this "
            + "(default 1000)")
    double maxP99 = 1000;

    @Option(names = "--all", description = "run every step even after one did not keep up")
    boolean all;

    @Option(names = "--engine", paramLabel = "NAME", description = "sphinx or nemotron (asr.engine.name)")
    String engine;

    @Option(names = {"--model-dir", "--model"}, paramLabel = "DIR", description = "model directory (asr.engine.model-dir)")
    Path modelDir;

    @Option(names = "--clips", paramLabel = "DIR", description = "16 kHz speech clips (default Debian's LibriVox)")
    Path clips = DemoConversation.DEBIAN_CLIPS;

    @Option(names = "--config", paramLabel = "FILE", description = "HOCON config file")
    Path config;

    @Option(names = {"-D", "--set"}, paramLabel = "KEY=VALUE", description = "any setting")
    Map<String, String> settings = new LinkedHashMap<>();

    @Override
    public Integer call() throws Exception {
        if (calls.isEmpty() || calls.stream().anyMatch(n -> n == null || n < 1)) {
            throw new IllegalArgumentException("--calls must be counts of at least 1, got " + calls);
        }
        if (seconds < 1) throw new IllegalArgumentException("--seconds must be at least 1, got " + seconds);
        if (warmUp < 0) throw new IllegalArgumentException("--warm-up must not be negative, got " + warmUp);
        Map<String, Object> flags = new LinkedHashMap<>(settings);
        flags.put("asr.server.host", "127.0.0.1");
        flags.put("asr.server.port", 0);
        flags.put("asr.media.rtp.port-min", 0);
        flags.put("asr.media.rtp.port-max", 0);
        flags.put("asr.media.audiosocket.port", 0);
        flags.put("asr.riva.enabled", false);
        // The calls come in as a Jitsi bridge sends them, at /mediajson/{callId}.
        flags.put("asr.media.mediajson.enabled", true);
        flags.put("asr.media.mediajson.paths", List.of("/mediajson/{callId}"));
        flags.putIfAbsent("asr.api.enabled", false);
        flags.putIfAbsent("asr.calls.max", 100_000);
        if (engine != null) flags.put("asr.engine.name", engine);
        if (modelDir != null) flags.put("asr.engine.model-dir", modelDir.toString());
        ServerConfig serverConfig = ServerConfig.from(ConfigLoader.load(config, System.getenv(), flags));
        short[] speech = speech(clips);
        try (SpeechEngine e = SpeechEngines.open(serverConfig.engine())) {
            LoadTest test = new LoadTest(serverConfig, e, speech, Duration.ofSeconds(seconds),
                    Duration.ofSeconds(warmUp), maxP99);
            System.out.printf(Locale.ROOT, "loadtest: engine %s, %d cores shared by the server and its clients, %d s "
                    + "per step (+%d s warm-up); MEDIAJSON Opus in, captions WebSocket out; latency from the packet "
                    + "that completed a partial's %s%n", serverConfig.engine().engine(),
                    Runtime.getRuntime().availableProcessors(), seconds, warmUp,
                    test.chunkMillis() == 0 ? "audio" : test.chunkMillis() + " ms chunk");
            System.out.println(" calls | partials | p50 ms | p99 ms | engine drops | late packets | pending s/stream "
                    + "| heap MiB/call | RSS MiB/call | real time");
            List<LoadTest.Step> steps = test.run(calls, all, s -> System.out.printf(Locale.ROOT,
                    " %5d | %8d | %6.0f | %6.0f | %12d | %12d | %16.2f | %13.1f | %12.1f | %s%n", s.calls(),
                    s.partials(), s.p50Millis(), s.p99Millis(), s.droppedFrames(), s.senderDrops(),
                    s.pendingSecondsPerStream(), s.heapMiBPerCall(), s.rssMiBPerCall(), s.keptUp() ? "yes" : "NO"));
            int best = steps.stream().filter(LoadTest.Step::keptUp).mapToInt(LoadTest.Step::calls).max().orElse(0);
            System.out.println("keeps up in real time with " + best + " concurrent calls"
                    + (steps.stream().allMatch(LoadTest.Step::keptUp) ? " (the largest step tried)" : ""));
        }
        return 0;
    }

    /** The clips of {@code dir}, one after another. */
    static short[] speech(Path dir) throws Exception {
        List<short[]> parts = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".wav")).sorted().toList()) {
                WavFile w = WavFile.read(f);
                if (w.sampleRate() == 16_000) parts.add(w.mono());
            }
        }
        if (parts.isEmpty()) throw new IllegalArgumentException(dir + ": no 16 kHz .wav clips");
        int n = parts.stream().mapToInt(a -> a.length).sum();
        short[] out = new short[n];
        int at = 0;
        for (short[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }
}
