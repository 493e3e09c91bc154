package org.streamasr.tools.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.streamasr.engine.Acceleration;
import org.streamasr.tools.bench.EngineBenchmark;
import org.streamasr.tools.testmodel.TestModelPrecision;
import org.streamasr.tools.testmodel.TestModelSpec;
import org.streamasr.tools.testmodel.TestModelVariant;
import org.streamasr.tools.testmodel.TestModelWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import org.streamasr.cli.VadModelOption;

/** {@code asr bench-engine}: the nemotron engine's throughput and where its time goes; prints figures. */
@Command(name = "bench-engine", mixinStandardHelpOptions = true,
        description = {"Runs N streams through the nemotron engine with batches of one and batched; prints host time per "
                + "stage against ONNX Runtime time from the same run, the throughput, and with --paced how many of the N "
                + "streams fed in real time kept up (their backlog stayed within two chunks + 500 ms).",
                "Without --model it builds a constructed model with the real vocabulary, decoder and joiner sizes and an "
                        + "encoder of --d-model x --layers (attention over the cache + depthwise conv + feed-forward per layer)."})
public final class BenchEngineCommand implements Callable<Integer> {

    @Option(names = {"--model", "--model-dir"}, paramLabel = "DIR",
            description = "A model directory (real or constructed).")
    Path model;

    @Option(names = "--variant", paramLabel = "en|ml", description = "Constructed model variant (default: ${DEFAULT-VALUE}).")
    String variant = "en";

    @Option(names = "--d-model", paramLabel = "N", description = "Constructed encoder width (default: ${DEFAULT-VALUE}; real 1024).")
    int dModel = 1024;

    @Option(names = "--layers", paramLabel = "N", description = "Constructed encoder layers (default: ${DEFAULT-VALUE}; real 24).")
    int layers = 6;

    @Option(names = "--acceleration", paramLabel = "A", description = "none, regular, high or full (default: ${DEFAULT-VALUE}).")
    String acceleration = "regular";

    @Option(names = "--streams", paramLabel = "N", description = "Concurrent streams (default: ${DEFAULT-VALUE}).")
    int streams = 8;

    @Option(names = "--seconds", paramLabel = "S", description = "Audio per stream (default: ${DEFAULT-VALUE}).")
    int seconds = 20;

    @Option(names = "--max-batch", split = ",", paramLabel = "B", description = "One run per value (default: 1 and --streams).")
    List<Integer> maxBatch;

    @Option(names = "--max-batch-wait", paramLabel = "MS", description = "Milliseconds a ready chunk may wait for batch mates "
            + "expected by then (default: ${DEFAULT-VALUE}).")
    long maxBatchWaitMillis = 10;

    @Option(names = "--precision", paramLabel = "P", description = "Constructed model precision: fp32 or int8 (dynamically "
            + "quantised like the sherpa-onnx int8 files; default: ${DEFAULT-VALUE}).")
    String precision = "fp32";

    @Option(names = "--int8-batching", paramLabel = "exact|shared", description = "How int8 streams share model runs "
            + "(asr.engine.nemotron.int8-batching; default: ${DEFAULT-VALUE}).")
    String int8Batching = "exact";

    @Option(names = "--int8-weights", paramLabel = "W", description = "int8 files' weights: auto, signed or as-exported "
            + "(asr.engine.nemotron.int8-weights; auto: int8 where this CPU multiplies uint8 by int8 exactly; default: "
            + "${DEFAULT-VALUE}).")
    String int8Weights = "auto";

    @Option(names = "--device-state", paramLabel = "auto|host|device", description = "Where streams' encoder caches live "
            + "between chunks (asr.engine.nemotron.device-state; auto: device on CUDA, host on CPU; default: ${DEFAULT-VALUE}).")
    String deviceState = "auto";

    @Option(names = "--provider", paramLabel = "cpu|cuda", description = "ONNX Runtime execution provider (cuda needs the "
            + "-Pcuda build; default: ${DEFAULT-VALUE}).")
    String provider = "cpu";

    @Option(names = "--workers", paramLabel = "N", description = "Inference workers (default: ${DEFAULT-VALUE}).")
    int workers = 1;

    @Option(names = "--threads", paramLabel = "N", description = "ONNX Runtime intra-op threads (0: one per core).")
    int threads;

    @Option(names = "--paced", description = "Also feed the streams in real time, report the backlog and count the streams "
            + "that kept up.")
    boolean paced;

    @Option(names = "--vad-model", paramLabel = "FILE", description = "Silero VAD run on every stream (not skipping) so its "
            + "cost shows (default: models/silero-vad/silero_vad.onnx under ASR_HOME when present; 'none' for without).")
    String vadModel;

    @Override
    public Integer call() throws Exception {
        TestModelVariant v = TestModelVariant.parse(variant);
        Acceleration a = Acceleration.parse(acceleration);
        Path dir = model;
        Path built = null;
        if (dir == null) {
            built = Files.createTempDirectory("streamasr-bench-model-");
            System.out.printf("building a constructed %s model: d_model %d, %d layers, vocabulary %d, decoder 2x640, joiner 640 ...%n",
                    v.name().toLowerCase(java.util.Locale.ROOT), dModel, layers, v == TestModelVariant.EN ? 1024 : 13087);
            TestModelWriter.write(TestModelSpec.benchmark(v, List.of(a.chunkMillis()), dModel, layers)
                    .withPrecision(TestModelPrecision.parse(precision)), built);
            dir = built;
        }
        try {
            List<Integer> batches = maxBatch == null || maxBatch.isEmpty() ? List.of(1, streams) : maxBatch;
            new EngineBenchmark(new EngineBenchmark.Config(dir, v, a, streams, seconds, batches, workers, threads, paced,
                    VadModelOption.resolve(vadModel, System.getenv("ASR_HOME"), w -> System.out.println("warning: " + w)),
                    java.time.Duration.ofMillis(maxBatchWaitMillis), int8Batching, int8Weights, deviceState, provider),
                    System.out).run();
        } finally {
            if (built != null) {
                try (Stream<Path> s = Files.walk(built)) {
                    s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        }
        return 0;
    }
}
