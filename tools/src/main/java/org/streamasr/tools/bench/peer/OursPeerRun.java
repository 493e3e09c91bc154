package org.streamasr.tools.bench.peer;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.streamasr.engine.Acceleration;
import org.streamasr.engine.EngineConfig;
import org.streamasr.engine.RecognitionListener;
import org.streamasr.engine.RecognitionStream;
import org.streamasr.engine.StreamSpec;
import org.streamasr.engine.Utterance;
import org.streamasr.engine.nemotron.NemotronEngine;
import org.streamasr.tools.bench.EngineBenchmark;

/**
 * Our side of {@code bin/asr bench-peer} ({@link PeerBenchmark}), run in a JVM of its own so that its CPU time and
 * peak memory are its own, like sherpa-onnx's node process: the nemotron engine with the serve defaults (one
 * inference worker, max-batch 32, max-batch-wait 10 ms) and the given ONNX Runtime threads, no VAD (tones are not
 * speech). Does what {@code sherpa-peer-run.cjs} does, the same way, and prints one line {@code RESULT {json}}.
 *
 * <p>Arguments: MODEL_ROOT fp32|int8 AUDIO.f32 STREAMS SECONDS THREADS CHUNK_MS MODE [KEY=VALUE engine extras,
 * or vad-model=FILE, inference-workers=N, max-batch=N]. MODE: {@code 0} throughput only, {@code 1} throughput and a
 * paced run, {@code ladder:N1,N2,...} no throughput run but paced runs of N1, N2, ... streams (ascending, at most
 * STREAMS) until one does not keep every stream up ({@link PeerBenchmark.Capacity}).
 */
public final class OursPeerRun {
    /** The extra argument {@code vad-model=FILE}: run the Silero VAD (conference audio); without it, no VAD. */
    static final String VAD_MODEL = "vad-model";
    /** The extra argument {@code inference-workers=N}: N concurrent batch runs sharing THREADS (default 1). */
    static final String WORKERS = "inference-workers";
    /** The extra argument {@code max-batch=N}: at most N streams per model run (default: the serve default, 32). */
    static final String MAX_BATCH = "max-batch";

    private final NemotronEngine engine;
    private final Acceleration acceleration;

    private OursPeerRun(NemotronEngine engine, Acceleration acceleration) {
        this.engine = engine;
        this.acceleration = acceleration;
    }

    public static void main(String[] args) throws Exception {
        Path root = Path.of(args[0]);
        String precision = args[1];
        int streams = Integer.parseInt(args[3]);
        int seconds = Integer.parseInt(args[4]);
        int threads = Integer.parseInt(args[5]);
        Acceleration acceleration = Acceleration.forChunkMillis(Integer.parseInt(args[6]));
        boolean paced = args[7].equals("1");
        List<Integer> ladder = PeerBenchmark.parseLadder(args[7]);
        float[][] audio = readAudio(Path.of(args[2]), streams, seconds);
        EngineConfig.Builder options = EngineConfig.builder().engine(NemotronEngine.NAME).modelDir(root)
                .intraOpThreads(threads).inferenceWorkers(1).streamBuffer(Duration.ofSeconds(seconds + 10))
                .defaultAcceleration(acceleration).extra("nemotron.precision", precision);
        for (int i = 8; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            String key = args[i].substring(0, eq);
            if (key.equals(VAD_MODEL)) {
                options.vadModel(Path.of(args[i].substring(eq + 1)));
            } else if (key.equals(MAX_BATCH)) {
                options.maxBatch(Integer.parseInt(args[i].substring(eq + 1)));
            } else if (key.equals(WORKERS)) {
                int workers = Integer.parseInt(args[i].substring(eq + 1));
                options.inferenceWorkers(workers).intraOpThreads(Math.max(1, threads / workers));
            } else {
                options.extra(key, args[i].substring(eq + 1));
            }
        }
        Map<String, Object> result = new LinkedHashMap<>();
        try (NemotronEngine engine = NemotronEngine.open(options.build())) {
            OursPeerRun run = new OursPeerRun(engine, acceleration);
            run.feed(new float[][] {java.util.Arrays.copyOf(audio[0], 3 * 16_000)}, false, null); // warm-up, as sherpa's
            double rssAfterLoad = procStatusMiB("VmRSS");
            if (!ladder.isEmpty()) {
                // a batch as large as the ladder's top once before its paced runs, as sherpa's side does
                float[][] warm = new float[audio.length][];
                for (int i = 0; i < audio.length; i++) warm[i] = java.util.Arrays.copyOf(audio[i], 2 * 16_000);
                run.feed(warm, false, null);
                result.put("side", "streamasr");
                result.put("precision", precision);
                result.put("ladder", run.ladder(audio, ladder));
                System.out.println("RESULT " + new ObjectMapper().writeValueAsString(result));
                System.exit(0);
            }
            RssSampler sampler = RssSampler.start();
            long t0 = System.nanoTime();
            double c0 = processCpuSeconds();
            String text = run.feed(audio, false, null);
            result.put("side", "streamasr");
            result.put("precision", precision);
            result.put("streams", streams);
            result.put("seconds", seconds);
            result.put("wallSeconds", (System.nanoTime() - t0) / 1e9);
            result.put("cpuSeconds", processCpuSeconds() - c0);
            result.put("transcript", text);
            result.put("rssAfterLoadMiB", rssAfterLoad);
            if (paced) result.putAll(run.paced(audio));
            result.put("runPeakRssMiB", sampler.stop());
        }
        result.put("peakRssMiB", procStatusMiB("VmHWM"));
        System.out.println("RESULT " + new ObjectMapper().writeValueAsString(result));
        System.exit(0);
    }

    /** One paced run of every stream given: streams kept up, the largest backlog, CPU seconds it took. */
    private Map<String, Object> paced(float[][] audio) throws Exception {
        long[] backlog = new long[audio.length];
        long start = System.nanoTime();
        double c0 = processCpuSeconds();
        feed(audio, true, backlog);
        long keepUp = 2L * acceleration.chunkMillis() + 500;
        long largest = 0;
        int keptUp = 0;
        for (long b : backlog) {
            largest = Math.max(largest, b / 16);
            if (b / 16 <= keepUp) keptUp++;
        }
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("keptUp", keptUp);
        r.put("largestBacklogMs", largest);
        r.put("doneAfterMs", (System.nanoTime() - start) / 1_000_000 - audio[0].length / 16);
        r.put("pacedCpuSeconds", processCpuSeconds() - c0);
        return r;
    }

    /** Paced runs of the first N streams for each N of the ladder, until one leaves a stream behind. */
    private List<Map<String, Object>> ladder(float[][] audio, List<Integer> counts) throws Exception {
        List<Map<String, Object>> steps = new ArrayList<>();
        for (int n : counts) {
            Map<String, Object> step = new LinkedHashMap<>();
            step.put("streams", n);
            step.putAll(paced(java.util.Arrays.copyOf(audio, n)));
            steps.add(step);
            System.out.println("STEP " + new ObjectMapper().writeValueAsString(step));
            if (((Integer) step.get("keptUp")) < n) break;
        }
        return steps;
    }

    /**
     * Feeds every stream, all at once or in 20 ms packets in real time (recording each stream's largest backlog in
     * samples), waits until all are finished, and returns stream 0's finals joined by spaces.
     */
    private String feed(float[][] audio, boolean paced, long[] backlog) throws Exception {
        CountDownLatch done = new CountDownLatch(audio.length);
        List<String> firstStreamFinals = java.util.Collections.synchronizedList(new ArrayList<>());
        List<RecognitionStream> streams = new ArrayList<>();
        try {
            for (int i = 0; i < audio.length; i++) {
                boolean first = i == 0;
                streams.add(engine.openStream(StreamSpec.live("en-US", acceleration, "peer-" + i), new RecognitionListener() {
                    @Override
                    public void onPartial(Utterance partial) {
                    }

                    @Override
                    public void onFinal(Utterance utterance) {
                        if (first && !utterance.text().isBlank()) firstStreamFinals.add(utterance.text().trim());
                    }

                    @Override
                    public void onFinished() {
                        done.countDown();
                    }
                }));
            }
            EngineBenchmark.feed(streams, audio, paced, backlog);
            streams.forEach(RecognitionStream::finish);
            if (!done.await(30, TimeUnit.MINUTES)) throw new IllegalStateException("streams did not finish in 30 minutes");
        } finally {
            streams.forEach(RecognitionStream::close);
        }
        return String.join(" ", firstStreamFinals);
    }

    static float[][] readAudio(Path file, int streams, int seconds) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        int n = seconds * 16_000;
        float[][] a = new float[streams][n];
        for (int i = 0; i < streams; i++) {
            b.position(i * n * 4);
            b.asFloatBuffer().get(a[i]);
        }
        return a;
    }

    private static double processCpuSeconds() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime() / 1e9;
    }

    /**
     * The largest VmRSS seen every 20 ms while the streams run (VmHWM also holds the model load's transient peak;
     * sherpa's side samples after each decode call).
     */
    private static final class RssSampler implements Runnable {
        private final Thread thread = org.streamasr.runtime.NamedThreads.thread(this, "rss-sampler", true);
        private volatile boolean running = true;
        private volatile double peak;

        static RssSampler start() {
            RssSampler s = new RssSampler();
            s.thread.setDaemon(true);
            s.thread.start();
            return s;
        }

        @Override
        public void run() {
            try {
                while (running) {
                    peak = Math.max(peak, procStatusMiB("VmRSS"));
                    Thread.sleep(20); // a sampling period, not a wait for behaviour
                }
            } catch (IOException | InterruptedException e) {
                running = false;
            }
        }

        double stop() throws InterruptedException {
            running = false;
            thread.join();
            return peak;
        }
    }

    /** A size line of /proc/self/status (VmRSS, VmHWM) in MiB. */
    static double procStatusMiB(String key) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith(key + ":")) return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
        }
        return Double.NaN;
    }
}
