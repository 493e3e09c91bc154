package org.streamasr.tools.bench;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.streamasr.engine.Acceleration;
import org.streamasr.engine.EngineConfig;
import org.streamasr.engine.RecognitionListener;
import org.streamasr.engine.RecognitionStream;
import org.streamasr.engine.StreamSpec;
import org.streamasr.engine.Utterance;
import org.streamasr.tools.testmodel.TestModelVariant;
import org.streamasr.tools.testmodel.ToneScript;
import org.streamasr.engine.nemotron.EngineStats;
import org.streamasr.engine.nemotron.NemotronEngine;

/**
 * A harness that prints figures (not a test): N streams through the engine, once with batches of one and once
 * batched, measuring where the time goes (host stages against {@code OrtSession.run} alone, from the same run) and how
 * much audio per wall-clock second the machine gets through (all audio offered at once: an upper bound, not a
 * count of streams that keep up). Optionally a paced run: N streams fed in real time; a stream kept up when its
 * backlog never grew past {@link #keepUpBacklogMillis} (two chunks and 500 ms of scheduling slack), and that count is
 * the figure of streams that keep up.
 */
public final class EngineBenchmark {

    /** What to run. {@code maxBatches}: one measurement per value. */
    public record Config(Path modelDir, TestModelVariant variant, Acceleration acceleration, int streams, int seconds,
                         List<Integer> maxBatches, int workers, int intraOpThreads, boolean paced, Path vadModel,
                         Duration maxBatchWait, String int8Batching, String int8Weights, String deviceState,
                         String provider) {
    }

    private final Config config;
    private final PrintStream out;

    public EngineBenchmark(Config config, PrintStream out) {
        this.config = config;
        this.out = out;
    }

    public void run() throws Exception {
        float[][] audio = audio();
        out.printf(Locale.ROOT, "%d streams x %d s of tone audio, %s (%d ms chunks), %d worker(s), %d intra-op thread(s), %d cores, "
                        + "VAD %s, max-batch-wait %d ms, int8-batching %s, int8-weights %s, provider %s, device-state %s%n", config.streams(), config.seconds(),
                config.acceleration().apiValue(), config.acceleration().chunkMillis(), config.workers(), config.intraOpThreads(),
                Runtime.getRuntime().availableProcessors(), config.vadModel() == null ? "off" : "on every chunk (no skipping)",
                config.maxBatchWait().toMillis(), config.int8Batching(), config.int8Weights(), config.provider(), config.deviceState());
        for (int maxBatch : config.maxBatches()) {
            try (NemotronEngine engine = NemotronEngine.open(options(maxBatch))) {
                warmUp(engine, audio[0]);
                engine.stats().reset();
                long chunksBefore = engine.chunksRun();
                long batchesBefore = engine.batchesRun();
                long t0 = System.nanoTime();
                runAll(engine, audio, false, null);
                double wall = (System.nanoTime() - t0) / 1e9;
                report(engine, maxBatch, wall, engine.chunksRun() - chunksBefore, engine.batchesRun() - batchesBefore);
                if (config.paced()) paced(engine, audio);
            }
        }
    }

    private EngineConfig options(int maxBatch) {
        return EngineConfig.builder().engine(NemotronEngine.NAME).modelDir(config.modelDir()).maxBatch(maxBatch)
                .provider(config.provider())
                .maxBatchWait(config.maxBatchWait()).inferenceWorkers(config.workers())
                .intraOpThreads(config.intraOpThreads()).streamBuffer(Duration.ofSeconds(config.seconds() + 10))
                .defaultAcceleration(config.acceleration()).vadModel(config.vadModel()).extra("nemotron.vad-skip", "false")
                .extra("nemotron.int8-batching", config.int8Batching())
                .extra("nemotron.int8-weights", config.int8Weights())
                .extra("nemotron.device-state", config.deviceState()).build();
    }

    /** Each stream: the sample sentences repeated, shifted by a different lead-in so chunks differ between streams. */
    private float[][] audio() {
        float[][] a = new float[config.streams()][];
        for (int i = 0; i < a.length; i++) {
            ToneScript.Builder b = ToneScript.builder(config.variant()).leadingSilenceMillis(80 * (i % 13));
            int target = config.seconds() * ToneScript.SAMPLE_RATE;
            float[] one = b.say("en-US", "hello world. this is a test of streaming speech recognition.")
                    .say("en-US", "good morning, world?").pauseMillis(960).build().samples();
            float[] x = new float[target];
            for (int at = 0; at < target; at += one.length) System.arraycopy(one, 0, x, at, Math.min(one.length, target - at));
            a[i] = x;
        }
        return a;
    }

    private void warmUp(NemotronEngine engine, float[] audio) throws Exception {
        runAll(engine, new float[][] {java.util.Arrays.copyOf(audio, Math.min(audio.length, 3 * ToneScript.SAMPLE_RATE))}, false, null);
    }

    /**
     * Feeds every stream (all at once, or paced in 20 ms packets) and waits for all to finish.
     *
     * @param backlog when paced, filled with each stream's largest backlog in samples
     */
    private void runAll(NemotronEngine engine, float[][] audio, boolean paced, long[] backlog) throws Exception {
        CountDownLatch done = new CountDownLatch(audio.length);
        List<RecognitionStream> streams = new ArrayList<>();
        AtomicLong finals = new AtomicLong();
        RecognitionListener listener = new RecognitionListener() {
            @Override
            public void onPartial(Utterance partial) {
            }

            @Override
            public void onFinal(Utterance utterance) {
                finals.incrementAndGet();
            }

            @Override
            public void onFinished() {
                done.countDown();
            }
        };
        try {
            for (int i = 0; i < audio.length; i++) {
                streams.add(engine.openStream(StreamSpec.live("en-US", config.acceleration(), "bench-" + i), listener));
            }
            feed(streams, audio, paced, backlog);
            streams.forEach(RecognitionStream::finish);
            if (!done.await(30, TimeUnit.MINUTES)) throw new IllegalStateException("streams did not finish in 30 minutes");
        } finally {
            streams.forEach(RecognitionStream::close);
        }
    }

    private void report(NemotronEngine engine, int maxBatch, double wall, long chunks, long batches) {
        EngineStats s = engine.stats();
        double audioSeconds = (double) config.streams() * config.seconds();
        double x = audioSeconds / wall;
        out.printf(Locale.ROOT, "%n== max-batch %d: %.1f s of audio in %.1f s wall = %.2fx real time; %d chunks in %d batches "
                + "(%.1f per batch)%n", maxBatch, audioSeconds, wall, x, chunks, batches, chunks / (double) Math.max(1, batches));
        long ort = s.nanos(EngineStats.Stage.ORT_ENCODER) + s.nanos(EngineStats.Stage.ORT_JOINER) + s.nanos(EngineStats.Stage.ORT_DECODER);
        long vad = s.nanos(EngineStats.Stage.VAD);
        long host = s.nanos(EngineStats.Stage.FEATURES) + s.nanos(EngineStats.Stage.ENCODER_HOST)
                + s.nanos(EngineStats.Stage.SEARCH_HOST) + s.nanos(EngineStats.Stage.RESULTS);
        long rest = Math.max(0, s.nanos(EngineStats.Stage.BATCH) - ort - vad - host);
        out.printf(Locale.ROOT, "   %-58s %10s %12s %8s%n", "stage", "total ms", "per chunk us", "calls");
        for (EngineStats.Stage st : EngineStats.Stage.values()) {
            out.printf(Locale.ROOT, "   %-58s %10.1f %12.1f %8d%n", st.what(), s.nanos(st) / 1e6, s.nanos(st) / 1e3 / chunks, s.calls(st));
        }
        out.printf(Locale.ROOT, "   per chunk: ONNX Runtime (encoder, joiner, decoder) %.0f us; Silero VAD %.0f us; host work (features, "
                        + "stacking, search loop, results) %.0f us = %.1f%% of the ONNX Runtime time; other %.0f us%n",
                ort / 1e3 / chunks, vad / 1e3 / chunks, host / 1e3 / chunks, 100.0 * host / Math.max(1, ort), rest / 1e3 / chunks);
        transfers(engine, s, chunks);
        out.printf(Locale.ROOT, "   throughput %.2fx real time with %d worker(s), all audio offered at once: an upper bound, not a "
                + "count of streams that keep up (%s)%n", x, config.workers(), config.paced() ? "that is the paced run's" : "see --paced");
    }

    /**
     * Bytes between host and execution device per stream and chunk, for the path that ran and the other one: the
     * two differ by exactly the stream state (encoder caches, decoder LSTM states) the runs read, each way
     * ({@link EngineStats#stateBytes()}); and the real encoders' cache bytes.
     */
    private void transfers(NemotronEngine engine, EngineStats s, long chunks) {
        long caches = engine.cacheBytesPerStream(config.acceleration());
        boolean onDevice = engine.stateOnDevice(config.acceleration());
        double per = Math.max(1, chunks);
        double toDevice = s.bytesToDevice() / per;
        double toHost = s.bytesToHost() / per;
        double state = s.stateBytes() / per;
        double hostIn = onDevice ? toDevice + state : toDevice;
        double hostOut = onDevice ? toHost + state : toHost;
        out.printf(Locale.ROOT, "   host<->device per stream and chunk (device-state %s: caches and decoder states %s), counted: "
                        + "to device %.1f KiB, to host %.1f KiB%n", config.deviceState(), onDevice ? "resident on the device"
                        : "fed and fetched by every run", toDevice / 1024, toHost / 1024);
        out.printf(Locale.ROOT, "     state fed and fetched (host path): to device %.1f KiB, to host %.1f KiB; state resident "
                        + "(device path): to device %.1f KiB, to host %.1f KiB; state per stream and chunk %.1f KiB each way "
                        + "(caches %.1f KiB)%n", hostIn / 1024, hostOut / 1024, (hostIn - state) / 1024, (hostOut - state) / 1024,
                state / 1024, caches / 1024.0);
        for (String[] real : new String[][] {{"EN", "70"}, {"ML", "56"}}) {
            long bytes = (24L * Long.parseLong(real[1]) * 1024 + 24L * 1024 * 8) * Float.BYTES;
            double perSecond = 1000.0 / config.acceleration().chunkMillis();
            out.printf(Locale.ROOT, "     real %s encoder (fp32 caches 24x%sx1024 + 24x1024x8): host path %.2f MiB each way per stream "
                            + "and chunk, %.1f GB/s each way for 240 streams at %d ms chunks; device path: no cache byte%n", real[0], real[1],
                    bytes / 1048576.0, 240 * perSecond * bytes / 1e9, config.acceleration().chunkMillis());
        }
    }

    /** A paced stream whose backlog stays within this kept up: two chunks (one filling, one running) plus 500 ms. */
    long keepUpBacklogMillis() {
        return 2L * config.acceleration().chunkMillis() + 500;
    }

    private void paced(NemotronEngine engine, float[][] audio) throws Exception {
        long t0 = System.nanoTime();
        long batches = engine.batchesRun();
        long waited = engine.schedulerWaitNanos();
        long items = engine.scheduledItems();
        long[] backlog = new long[audio.length];
        runAll(engine, audio, true, backlog);
        double wall = (System.nanoTime() - t0) / 1e9;
        long largest = 0;
        int keptUp = 0;
        for (long b : backlog) {
            largest = Math.max(largest, b);
            if (b / 16 <= keepUpBacklogMillis()) keptUp++;
        }
        out.printf(Locale.ROOT, "   paced: %d streams fed in real time for %d s: largest backlog %d ms of audio, done %.1f s after "
                        + "the audio ended; %d batches; a ready chunk waited %.1f ms on average for its batch to leave%n",
                audio.length, config.seconds(), largest / 16, Math.max(0, wall - config.seconds()), engine.batchesRun() - batches,
                (engine.schedulerWaitNanos() - waited) / 1e6 / Math.max(1, engine.scheduledItems() - items));
        out.printf(Locale.ROOT, "   => %d of %d streams kept up in real time (backlog never above %d ms: two %d ms chunks + 500 ms)%n",
                keptUp, audio.length, keepUpBacklogMillis(), config.acceleration().chunkMillis());
    }

    /** Samples per packet a paced run sends (20 ms at 16 kHz). */
    public static final int PACKET = 320;

    /**
     * Gives every stream its audio: paced, one {@link #PACKET} per stream every 20 ms as a live sender would (noting
     * each stream's largest backlog in {@code backlog}), or all at once.
     */
    public static void feed(List<RecognitionStream> streams, float[][] audio, boolean paced, long[] backlog)
            throws InterruptedException {
        if (!paced) {
            for (int i = 0; i < streams.size(); i++) streams.get(i).accept(audio[i], 0, audio[i].length);
            return;
        }
        long start = System.nanoTime();
        for (int at = 0; at < audio[0].length; at += PACKET) {
            long wait = start + TimeUnit.MILLISECONDS.toNanos(at / 16) - System.nanoTime();
            if (wait > 0) TimeUnit.NANOSECONDS.sleep(wait); // pacing the sender, not waiting for a result
            for (int i = 0; i < streams.size(); i++) {
                streams.get(i).accept(audio[i], at, Math.min(PACKET, audio[i].length - at));
                backlog[i] = Math.max(backlog[i], streams.get(i).pendingSamples());
            }
        }
    }
}
