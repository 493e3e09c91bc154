package org.streamasr.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.streamasr.audio.AudioFileDecoder;
import org.streamasr.engine.Acceleration;
import org.streamasr.engine.EngineConfig;
import org.streamasr.engine.RecognitionException;
import org.streamasr.engine.RecognitionListener;
import org.streamasr.engine.RecognitionStream;
import org.streamasr.engine.SpeechEngine;
import org.streamasr.engine.SpeechEngines;
import org.streamasr.engine.StreamSpec;
import org.streamasr.engine.Utterance;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code asr transcribe FILE}: decodes an audio file and runs it through any engine as a file stream; prints the
 * final text, or with {@code --stream} every partial and final as it comes.
 */
@Command(name = "transcribe", mixinStandardHelpOptions = true,
        description = "Transcribes an audio file (any format ffmpeg reads) with the nemotron or sphinx engine.")
public final class TranscribeCommand implements java.util.concurrent.Callable<Integer> {
    private static final int PIECE = 1_600;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE", description = "Audio file.")
    Path file;

    @Option(names = "--engine", paramLabel = "NAME", description = "nemotron or sphinx (default: nemotron with --model, "
            + "else sphinx).")
    String engine;

    @Option(names = {"--model", "--model-dir"}, paramLabel = "DIR",
            description = "Nemotron model directory (see README \"Real models\").")
    Path model;

    @Option(names = "--language", paramLabel = "L", description = "auto or a locale such as de-DE (default: ${DEFAULT-VALUE}).")
    String language = "auto";

    @Option(names = "--acceleration", paramLabel = "A", description = "none, regular, high or full: 1120, 560, 320 or 80 ms "
            + "chunks (default: ${DEFAULT-VALUE}).")
    String acceleration = "regular";

    @Option(names = "--stream", description = "Print partials and finals as they come.")
    boolean stream;

    @Option(names = "--provider", paramLabel = "P", description = "cpu or cuda (default: ${DEFAULT-VALUE}).")
    String provider = "cpu";

    @Option(names = "--threads", paramLabel = "N", description = "ONNX Runtime intra-op threads (0: one per core).")
    int threads;

    @Option(names = "--workers", paramLabel = "N", description = "nemotron inference workers (asr.engine.inference-workers; "
            + "default: ${DEFAULT-VALUE}).")
    int workers = 1;

    @Option(names = "--max-batch", paramLabel = "B", description = "nemotron: most streams per model run (asr.engine.max-batch; "
            + "default: ${DEFAULT-VALUE}: transcribe runs one stream, and an int8 export then keeps its fused graph).")
    int maxBatch = 1;

    @Option(names = "--max-batch-wait", paramLabel = "MS", description = "nemotron: milliseconds a ready chunk may wait for "
            + "batch mates that are expected by then (asr.engine.max-batch-wait; default: ${DEFAULT-VALUE}).")
    long maxBatchWaitMillis = 10;

    @Option(names = "--vad-model", paramLabel = "FILE", description = "Silero VAD model (default: models/silero-vad/"
            + "silero_vad.onnx under ASR_HOME when present; 'none' to run without).")
    String vadModel;

    @Override
    public Integer call() throws Exception {
        Acceleration accel = Acceleration.parse(acceleration);
        if (!Files.isRegularFile(file)) throw new IllegalArgumentException(file + ": no such file");
        float[] audio = AudioFileDecoder.withDefaults().decode(file);
        String engineName = engine != null ? engine : model != null ? "nemotron" : "sphinx";
        List<String> warnings = new ArrayList<>();
        Path vad = VadModelOption.resolve(vadModel, System.getenv("ASR_HOME"), warnings::add);
        EngineConfig options = EngineConfig.builder().engine(engineName).modelDir(model).provider(provider)
                .intraOpThreads(threads).inferenceWorkers(workers).maxBatch(maxBatch)
                .maxBatchWait(Duration.ofMillis(maxBatchWaitMillis)).vadModel(vad).defaultAcceleration(accel).build();
        PrintWriter out = spec.commandLine().getOut();
        boolean terminal = System.console() != null;
        Progress progress = new Progress(terminal && audio.length > 30 * AudioFileDecoder.SAMPLE_RATE, audio.length);
        Printer printer = new Printer(out, stream, terminal && stream);
        try (SpeechEngine e = open(options);
             RecognitionStream s = e.openStream(StreamSpec.file(language, accel, file.getFileName().toString()), printer)) {
            // once the engine is up (a refused setting is the one line to read); only nemotron uses Silero VAD
            if (engineName.equals("nemotron")) warn(warnings);
            for (int at = 0; at < audio.length; at += PIECE) {
                s.acceptAwaiting(audio, at, Math.min(PIECE, audio.length - at));
                progress.show(at + PIECE - s.pendingSamples());
            }
            s.finish();
            while (!printer.done.await(200, TimeUnit.MILLISECONDS)) progress.show(audio.length - s.pendingSamples());
            progress.clear();
        }
        if (printer.error.get() != null) throw printer.error.get();
        if (!stream) out.println(String.join("\n", printer.finals));
        out.flush();
        return 0;
    }

    private void warn(List<String> warnings) {
        PrintWriter err = spec.commandLine().getErr();
        for (String w : warnings) err.println("warning: " + w);
        err.flush();
    }

    /** The engine; a setting it refuses is named by the flag that set it here, not by a config key. */
    private static SpeechEngine open(EngineConfig options) {
        try {
            return SpeechEngines.open(options);
        } catch (RuntimeException e) {
            String message = String.valueOf(e.getMessage());
            for (var flag : Map.of("asr.engine.default-acceleration", "--acceleration", "asr.engine.model-dir", "--model",
                    "asr.engine.provider", "--provider", "asr.engine.name", "--engine", "asr.engine.inference-workers", "--workers",
                    "asr.engine.max-batch-wait", "--max-batch-wait", "asr.engine.max-batch", "--max-batch").entrySet()) {
                if (message.startsWith(flag.getKey())) {
                    throw new IllegalArgumentException(flag.getValue() + message.substring(flag.getKey().length()), e);
                }
            }
            throw e;
        }
    }

    /** Prints results; keeps the finals for the plain output. */
    private static final class Printer implements RecognitionListener {
        final List<String> finals = new ArrayList<>();
        final CountDownLatch done = new CountDownLatch(1);
        final AtomicReference<RecognitionException> error = new AtomicReference<>();
        private final PrintWriter out;
        private final boolean stream;
        private final boolean overwrite;

        Printer(PrintWriter out, boolean stream, boolean overwrite) {
            this.out = out;
            this.stream = stream;
            this.overwrite = overwrite;
        }

        @Override
        public void onPartial(Utterance u) {
            if (!stream) return;
            if (overwrite) out.print("\r\033[K… " + u.text());
            else out.println("partial " + span(u) + " " + u.text());
            out.flush();
        }

        @Override
        public void onFinal(Utterance u) {
            synchronized (finals) {
                finals.add(u.text());
            }
            if (!stream) return;
            out.println((overwrite ? "\r\033[K" : "") + "final   " + span(u) + (u.language() == null ? "" : " (" + u.language() + ")")
                    + " " + u.text());
            out.flush();
        }

        @Override
        public void onError(RecognitionException e) {
            error.compareAndSet(null, e);
        }

        @Override
        public void onFinished() {
            done.countDown();
        }

        private static String span(Utterance u) {
            return String.format(Locale.ROOT, "[%.2f-%.2fs]", u.startMs() / 1000.0, u.endMs() / 1000.0);
        }
    }

    /** A progress bar on stderr, only on a terminal and for long files. */
    private static final class Progress {
        private final boolean enabled;
        private final long total;
        private long lastNanos;

        Progress(boolean enabled, long total) {
            this.enabled = enabled;
            this.total = total;
        }

        void show(long done) {
            if (!enabled || System.nanoTime() - lastNanos < Duration.ofMillis(200).toNanos()) return;
            lastNanos = System.nanoTime();
            double f = Math.max(0, Math.min(1, done / (double) total));
            int bar = (int) (f * 30);
            System.err.print("\r[" + "#".repeat(bar) + " ".repeat(30 - bar) + "] " + (int) (f * 100) + "% ");
            System.err.flush();
        }

        void clear() {
            if (enabled) System.err.print("\r\033[K");
        }
    }
}
