package org.streamasr.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.streamasr.engine.SpeechEngine;
import org.streamasr.media.CallHandle;
import org.streamasr.media.CallSpec;
import org.streamasr.media.ParticipantAudio;
import org.streamasr.media.ParticipantSpec;
import org.streamasr.media.PcmFrame;
import org.streamasr.media.TranscriptEvent;
import org.streamasr.media.TranscriptListener;
import org.streamasr.server.AsrServer;
import org.streamasr.server.ServerConfig;
import org.streamasr.stream.CallEvents;
import org.streamasr.stream.CallSession;

/**
 * Load harness: N concurrent calls, one speaking participant each, fed in real time through the server's call sink
 * exactly as a media adapter feeds it (20 ms 16 kHz frames on the media clock), for a fixed time per step, N rising
 * until the server no longer keeps up. Per step: partial latency added by the server beyond the chunk itself (from
 * the push of the frame that completed a chunk's audio to the partial; p50, p99), audio the engine had to drop, audio
 * still waiting at the end, and memory per call (heap after GC, and process RSS).
 */
public final class LoadTest {
    private static final int FRAME = 320;

    /** One step's figures. */
    public record Step(int calls, int partials, double p50Millis, double p99Millis, long droppedFrames,
                       double pendingSecondsPerStream, double heapMiBPerCall, double rssMiBPerCall, boolean keptUp) {
    }

    private final ServerConfig config;
    private final SpeechEngine engine;
    private final short[] speech;
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
        this.speech = speech;
        this.stepTime = stepTime;
        this.warmUp = warmUp;
        this.maxP99Millis = maxP99Millis;
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

    private Step step(int calls) throws Exception {
        LatencyRecorder latencies = new LatencyRecorder();
        AtomicBoolean measuring = new AtomicBoolean();
        CallEvents timing = new CallEvents() {
            @Override
            public void transcript(CallSession call, TranscriptEvent event, long latencyNanos) {
                if (!event.isFinal() && latencyNanos >= 0 && measuring.get()) latencies.add(latencyNanos);
            }
        };
        try (AsrServer server = AsrServer.start(config, engine, false, List.of(timing))) {
            Memory before = Memory.now();
            List<CallHandle> handles = new ArrayList<>();
            List<ParticipantAudio> speakers = new ArrayList<>();
            for (int i = 0; i < calls; i++) {
                CallHandle h = server.calls().openCall(CallSpec.of("load-" + i, "loadtest"), TranscriptListener.NONE);
                handles.add(h);
                speakers.add(h.openParticipant(ParticipantSpec.of("speaker")));
            }
            long droppedBefore = engineDrops(server);
            ScheduledExecutorService pacer = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "loadtest-pacer");
                t.setDaemon(true);
                return t;
            });
            long[] frameNo = {0};
            int stride = Math.max(FRAME, speech.length / Math.max(1, calls)) / FRAME * FRAME;
            var feeding = pacer.scheduleAtFixedRate(() -> {
                long f = frameNo[0]++;
                for (int i = 0; i < speakers.size(); i++) {
                    int at = (int) ((f * FRAME + (long) i * stride) % (speech.length - FRAME));
                    speakers.get(i).push(PcmFrame.audio(Arrays.copyOfRange(speech, at, at + FRAME), f * FRAME));
                }
            }, 0, 20, TimeUnit.MILLISECONDS);
            sleep(warmUp);
            measuring.set(true);
            sleep(stepTime);
            measuring.set(false);
            double pending = server.calls().calls().stream().mapToLong(CallSession::pendingSamples).sum()
                    / 16000.0 / calls;
            Memory during = Memory.now();
            feeding.cancel(false);
            pacer.shutdownNow();
            long dropped = engineDrops(server) - droppedBefore;
            List<CompletableFuture<String>> ended = new ArrayList<>();
            for (CallSession c : server.calls().calls()) ended.add(c.ended());
            handles.forEach(CallHandle::close);
            CompletableFuture.allOf(ended.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
            double p50 = latencies.percentileMillis(50);
            double p99 = latencies.percentileMillis(99);
            boolean keptUp = dropped == 0 && pending < 1.0 && latencies.count() > 0 && p99 <= maxP99Millis;
            return new Step(calls, latencies.count(), p50, p99, dropped, pending,
                    (during.heapBytes - before.heapBytes) / 1048576.0 / calls,
                    (during.rssBytes - before.rssBytes) / 1048576.0 / calls, keptUp);
        }
    }

    private static long engineDrops(AsrServer server) {
        Map<String, Long> calls = server.mediaMetrics().drops().getOrDefault("calls", Map.of());
        return calls.getOrDefault("engine-behind", 0L);
    }

    private static void sleep(Duration d) throws InterruptedException {
        Thread.sleep(d.toMillis());
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

    /** Latencies of one step (a sorted copy is made for percentiles). */
    static final class LatencyRecorder {
        private long[] values = new long[1024];
        private int size;

        synchronized void add(long nanos) {
            if (size == values.length) values = Arrays.copyOf(values, size * 2);
            values[size++] = nanos;
        }

        synchronized int count() {
            return size;
        }

        synchronized double percentileMillis(double p) {
            if (size == 0) return Double.NaN;
            long[] sorted = Arrays.copyOf(values, size);
            Arrays.sort(sorted);
            int at = (int) Math.min(size - 1, Math.max(0, Math.ceil(p / 100.0 * size) - 1));
            return sorted[at] / 1e6;
        }
    }
}
