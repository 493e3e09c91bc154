package org.streamasr.tools.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.streamasr.tools.bench.peer.PeerBenchmark;
import org.streamasr.tools.bench.peer.SherpaOnnxNode;
import org.streamasr.cli.VadModelOption;
import org.streamasr.engine.Acceleration;
import org.streamasr.tools.testmodel.TestModelSpec;
import org.streamasr.tools.testmodel.TestModelVariant;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code asr bench-peer}: our engine against sherpa-onnx on the same model, audio and threads (see {@link PeerBenchmark}). */
@Command(name = "bench-peer", mixinStandardHelpOptions = true,
        description = {"Runs sherpa-onnx (npm " + SherpaOnnxNode.PACKAGE + " " + SherpaOnnxNode.VERSION + ", installed "
                + "into a cache directory on first use) and the nemotron engine, each in its own process, on the same "
                + "constructed model, tone audio and thread budget; prints times real time, streams that keep up in real "
                + "time (unless --no-paced), CPU seconds and peak memory per stream, and ours/theirs, per precision and stream count.",
                "Needs node and npm on the PATH."})
public final class BenchPeerCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = {"--model", "--model-dir"}, paramLabel = "DIR", description = "A directory written by make-test-model --benchmark with "
            + "fp32 and int8 files of the --acceleration's chunk size (default: one is built in a temporary directory).")
    Path model;

    @Option(names = "--d-model", paramLabel = "N", description = "Encoder width of the built model (default: ${DEFAULT-VALUE}; real 1024).")
    int dModel = 1024;

    @Option(names = "--layers", paramLabel = "N", description = "Encoder layers of the built model (default: ${DEFAULT-VALUE}; real 24).")
    int layers = 6;

    @Option(names = "--tiny", description = "Build the tiny constructed model instead (for smoke tests: seconds, not minutes).")
    boolean tiny;

    @Option(names = "--acceleration", paramLabel = "A", description = "Chunk size: none, regular, high or full (default: ${DEFAULT-VALUE}).")
    String acceleration = "regular";

    @Option(names = "--precision", split = ",", paramLabel = "P", description = "fp32, int8 or both (default: fp32,int8).")
    List<String> precisions = List.of("fp32", "int8");

    @Option(names = "--streams", split = ",", paramLabel = "N", description = "Concurrent stream counts (default: 1,8,32).")
    List<Integer> streams = List.of(1, 8, 32);

    @Option(names = "--seconds", paramLabel = "S", description = "Audio per stream (default: ${DEFAULT-VALUE}).")
    int seconds = 20;

    @Option(names = "--threads", paramLabel = "N", description = "ONNX Runtime threads, each side (default: ${DEFAULT-VALUE}).")
    int threads = 2;

    // a plain flag: picocli's negatable form of a boolean that defaults to true left it true
    @Option(names = "--no-paced", description = "Throughput runs only: do not also feed the streams in real time and count "
            + "the streams that keep up.")
    boolean noPaced;

    @Option(names = "--capacity", description = "Capacity search instead: no throughput runs; per precision, each side "
            + "runs the --streams counts in ascending order, paced, until a count leaves a stream behind, and the table "
            + "gives the largest count each side kept up and their ratio (e.g. --streams 8,10,12,14,16).")
    boolean capacity;

    @Option(names = "--engine-option", paramLabel = "KEY=VALUE", description = "An engine setting for our side, e.g. "
            + "nemotron.int8-batching=shared, inference-workers=N for N concurrent batch runs sharing --threads, "
            + "or max-batch=N (repeatable).")
    Map<String, String> engineOptions = Map.of();

    @Option(names = "--speakers", paramLabel = "K", description = "Conference audio instead of tones: background noise on "
            + "every stream and K streams speaking (recorded speech) at a time, in turns round all streams; our side runs "
            + "the Silero VAD and skips silent idle streams' chunks (vad-skip), sherpa decodes every chunk (default: 0, "
            + "tones on every stream, no VAD).")
    int speakers;

    @Option(names = "--vad-model", paramLabel = "FILE", description = "Silero VAD for --speakers (default: "
            + "models/silero-vad/silero_vad.onnx under ASR_HOME).")
    String vadModel;

    @Option(names = "--sherpa-dir", paramLabel = "DIR", description = "Where sherpa-onnx-node is installed (default: "
            + "$XDG_CACHE_HOME or ~/.cache, /streamasr/sherpa-onnx-node-" + SherpaOnnxNode.VERSION + ").")
    Path sherpaDir;

    @Override
    public Integer call() throws Exception {
        for (String p : precisions) {
            if (!p.equals("fp32") && !p.equals("int8")) throw new IllegalArgumentException("--precision: '" + p + "' is not fp32 or int8");
        }
        if (seconds < 4 || threads < 1 || streams.stream().anyMatch(n -> n < 1)) {
            throw new IllegalArgumentException("--seconds must be at least 4, --threads and --streams at least 1");
        }
        if (capacity && noPaced) throw new IllegalArgumentException("--capacity counts streams kept up in paced runs; drop --no-paced");
        if (speakers < 0) throw new IllegalArgumentException("--speakers must not be negative");
        Path vad = null;
        if (speakers > 0) {
            vad = VadModelOption.resolve(vadModel, System.getenv("ASR_HOME"), w -> { });
            if (vad == null || !Files.isRegularFile(vad)) {
                throw new IllegalArgumentException("--speakers needs the Silero VAD model (scripts/fetch-vad-model, or --vad-model FILE)");
            }
            vad = vad.toAbsolutePath();
        }
        int chunkMs = Acceleration.parse(acceleration).chunkMillis();
        java.io.PrintWriter out = spec.commandLine().getOut();
        SherpaOnnxNode sherpa = SherpaOnnxNode.install(sherpaDir != null ? sherpaDir : SherpaOnnxNode.defaultDirectory(), out);
        Path work = Files.createTempDirectory("streamasr-bench-peer-");
        try {
            Path root = model;
            if (root == null) {
                TestModelSpec spec = tiny ? TestModelSpec.tiny(TestModelVariant.EN).withChunkMillis(List.of(chunkMs))
                        : TestModelSpec.benchmark(TestModelVariant.EN, List.of(chunkMs), dModel, layers);
                out.println(tiny ? "building the tiny constructed model (fp32 and int8) ..."
                        : "building a constructed model (fp32 and int8): d_model " + dModel + ", " + layers
                        + " layers, vocabulary 1024, decoder 2x640, joiner 640 ...");
                root = PeerBenchmark.writeModel(spec, work.resolve("model"));
            }
            List<String> extras = new ArrayList<>();
            engineOptions.forEach((k, v) -> extras.add(k + "=" + v));
            PeerBenchmark bench = new PeerBenchmark(new PeerBenchmark.Config(root, TestModelVariant.EN, chunkMs, precisions,
                    streams, seconds, threads, !noPaced, work, extras, speakers, vad, capacity), sherpa, out);
            if (capacity) {
                bench.runCapacity();
            } else {
                bench.run();
            }
            out.flush();
        } finally {
            try (Stream<Path> s = Files.walk(work)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        return 0;
    }
}
