package org.streamasr.tools.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongUnaryOperator;
import org.streamasr.engine.Acceleration;
import org.streamasr.engine.SpeechEngine;
import org.streamasr.server.AsrServer;
import org.streamasr.server.ServerConfig;
import org.streamasr.stream.CallSession;

/**
 * Load harness over the server's real adapter path: N concurrent calls, each a Jitsi-style bridge connection
 * (MEDIAJSON WebSocket, one participant's stereo Opus packets every 20 ms, in real time) and a caption subscriber on
 * the call's captions WebSocket, for a fixed time per step, N rising until the server no longer keeps up. The clients
 * run in this process, on this machine's cores, beside the server they measure.
 *
 * <p>Per step: the latency the server adds to partials beyond the chunk itself, from the send of the packet that
 * completed the partial's audio to the partial's arrival on the captions socket (p50, p99); audio the engine had to
 * drop; packets the senders could not hand over in time; audio still waiting at the end; memory per call (heap after
 * GC, and process RSS).
 *
 * <p>Which audio a partial was made from: an engine that runs fixed chunks (nemotron) makes a partial when a chunk is
 * complete, but the partial ends at its last word, somewhere in that chunk: its audio ends at the next chunk boundary
 * (multiples of the chunk of the call's acceleration mode on the participant's media clock). Other engines (sphinx)
 * end a partial at the audio they had decoded.
 */
public final class LoadTest {

    /** One step's figures. */
    public record Step(int calls, int partials, double minMillis, double p50Millis, double p99Millis,
                       long droppedFrames, long senderDrops, double pendingSecondsPerStream, double heapMiBPerCall,
                       double rssMiBPerCall, boolean keptUp) {
    }

    private final ServerConfig config;
    private final SpeechEngine engine;
    private final OpusLoop speech;
    private final Duration stepTime;
    private final Duration warmUp;
    private final double maxP99Millis;

    /**
     * @param speech       16 kHz speech, looped (each call starts at a different offset)
     * @param maxP99Millis a step keeps up when nothing was dropped, little is left pending, and p99 stays below this
     */
    public LoadTest(ServerConfig config, SpeechEngine engine, short[] speech, Duration stepTime, Duration warmUp,
                    double maxP99Millis) {
        this.config = config;
        this.engine = engine;
        this.speech = OpusLoop.encode(speech);
        this.stepTime = stepTime;
        this.warmUp = warmUp;
        this.maxP99Millis = maxP99Millis;
    }

    /** The chunk whose boundaries end the engine's partials, in ms; 0 when partials end at the decoded audio. */
    public int chunkMillis() {
        if (!"nemotron".equals(engine.name())) return 0;
        Acceleration a = Optional.ofNullable(config.engine().defaultAcceleration()).orElse(Acceleration.REGULAR);
        return a.chunkMillis();
    }

    /** Runs the steps in order; stops after the first that did not keep up unless {@code all}. */
    public List<Step> run(List<Integer> callCounts, boolean all, java.util.function.Consumer<Step> report)
            throws Exception {
        List<Step> steps = new ArrayList<>();
        for (int n : callCounts) {
            Step s = step(n);
            steps.add(s);
            report.accept(s);
            if (!s.keptUp() && !all) break;
        }
        return steps;
    }

    private Step step(int n) throws Exception {
        LatencyRecorder latencies = new LatencyRecorder();
        int chunk = chunkMillis();
        LongUnaryOperator audioEnd = chunk == 0 ? e -> e : e -> (e + chunk - 1) / chunk * chunk;
        ExecutorService clientThreads = Executors.newFixedThreadPool(2, daemon("loadtest-client"));
        ScheduledExecutorService pacer = Executors.newSingleThreadScheduledExecutor(daemon("loadtest-pacer"));
        List<MediaJsonLoadCall> calls = new ArrayList<>();
        try (AsrServer server = AsrServer.start(config, engine, false)) {
            HttpClient client = HttpClient.newBuilder().executor(clientThreads).build();
            URI base = server.baseUri();
            Memory before = Memory.now();
            int stride = Math.max(1, speech.size() / n);
            List<CompletableFuture<MediaJsonLoadCall>> opening = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                opening.add(MediaJsonLoadCall.open("load-" + n + "-" + i, speech, (long) i * stride, audioEnd,
                        latencies::add, client, base));
            }
            for (CompletableFuture<MediaJsonLoadCall> c : opening) calls.add(c.get(120, TimeUnit.SECONDS));
            List<CompletableFuture<Void>> subscribing = new ArrayList<>();
            for (MediaJsonLoadCall c : calls) subscribing.add(c.subscribe(client, captionsUrl(server, c.callId())));
            CompletableFuture.allOf(subscribing.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
            long droppedBefore = engineDrops(server);
            var feeding = pacer.scheduleAtFixedRate(() -> calls.forEach(MediaJsonLoadCall::sendNext), 0, 20,
                    TimeUnit.MILLISECONDS);
            Thread.sleep(warmUp.toMillis());
            calls.forEach(c -> c.measuring(true));
            Thread.sleep(stepTime.toMillis());
            calls.forEach(c -> c.measuring(false));
            double pending = server.calls().calls().stream().mapToLong(CallSession::pendingSamples).sum()
                    / 16000.0 / n;
            Memory during = Memory.now();
            feeding.cancel(false);
            long dropped = engineDrops(server) - droppedBefore;
            long senderDrops = calls.stream().mapToLong(MediaJsonLoadCall::senderDrops).sum();
            List<CompletableFuture<String>> ended = new ArrayList<>();
            for (CallSession c : server.calls().calls()) ended.add(c.ended());
            calls.forEach(MediaJsonLoadCall::close);
            CompletableFuture.allOf(ended.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
            double p50 = latencies.percentileMillis(50);
            double p99 = latencies.percentileMillis(99);
            boolean keptUp = dropped == 0 && senderDrops == 0 && pending < 1.0 && latencies.count() > 0
                    && p99 <= maxP99Millis;
            return new Step(n, latencies.count(), latencies.percentileMillis(0), p50, p99, dropped, senderDrops, pending,
                    (during.heapBytes - before.heapBytes) / 1048576.0 / n,
                    (during.rssBytes - before.rssBytes) / 1048576.0 / n, keptUp);
        } finally {
            pacer.shutdownNow();
            clientThreads.shutdownNow();
        }
    }

    /** The call the bridge's connection opened, as the calls API lists it: its captions URL with the token. */
    private static URI captionsUrl(AsrServer server, String callId) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            Optional<CallSession> call = server.calls().find(callId);
            if (call.isPresent()) {
                return URI.create(server.baseUri().toString().replaceFirst("^http", "ws") + "/v1/calls/" + callId
                        + "/captions?token=" + call.get().token());
            }
            if (System.nanoTime() > deadline) throw new IllegalStateException("call " + callId + " did not open");
            Thread.sleep(5);
        }
    }

    private static long engineDrops(AsrServer server) {
        Map<String, Long> calls = server.mediaMetrics().drops().getOrDefault("calls", Map.of());
        return calls.getOrDefault("engine-behind", 0L);
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return org.streamasr.runtime.NamedThreads.factory(name, true);
    }

    /** Heap in use after a GC, and the process' resident set. */
    record Memory(long heapBytes, long rssBytes) {
        static Memory now() {
            Runtime rt = Runtime.getRuntime();
            System.gc();
            long heap = rt.totalMemory() - rt.freeMemory();
            long rss = 0;
            try {
                for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                    if (line.startsWith("VmRSS:")) rss = Long.parseLong(line.replaceAll("\\D+", "")) * 1024;
                }
            } catch (IOException | NumberFormatException e) {
                rss = 0;
            }
            return new Memory(heap, rss);
        }
    }
}
