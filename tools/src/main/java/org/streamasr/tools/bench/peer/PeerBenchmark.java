package org.streamasr.tools.bench.peer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.streamasr.tools.testmodel.TestModelSpec;
import org.streamasr.tools.testmodel.TestModelVariant;
import org.streamasr.tools.testmodel.TestModelWriter;
import org.streamasr.tools.testmodel.ToneScript;

/**
 * {@code bin/asr bench-peer}: our engine against sherpa-onnx, the reference runtime of the exports we load, on the same
 * model directory, the same audio and the same thread budget, each side in a process of its own ({@link OursPeerRun}
 * in a JVM, {@code sherpa-peer-run.cjs} in node), so CPU time and peak memory are per process. For each precision and
 * stream count both sides run the streams with all audio offered at once (throughput: times real time, CPU seconds)
 * and, optionally, fed in real time (streams that keep up); sherpa decodes every ready stream in one batched
 * {@code decodeStreams} call, ours goes through its batch scheduler.
 */
public final class PeerBenchmark {

    /**
     * What to run.
     *
     * @param modelRoot a directory written by {@link TestModelWriter} holding fp32 and int8 files of one chunk size
     * @param work      scratch space for the audio file
     * @param extras    engine settings for our side ({@code nemotron.int8-batching=shared}, ...)
     * @param speakers  0: every stream carries tone sentences (no VAD on our side); more: conference audio
     *                  ({@link ConferenceAudio}) with that many streams speaking at a time, and our side runs the VAD
     *                  with {@code vad-skip} (sherpa decodes every chunk)
     * @param vadModel  the Silero VAD model for {@code speakers > 0}
     * @param capacity  instead of one throughput and one paced run per stream count, climb {@code streams} (ascending)
     *                  with paced runs only, each side until it leaves a stream behind ({@link Capacity})
     */
    public record Config(Path modelRoot, TestModelVariant variant, int chunkMs, List<String> precisions,
                         List<Integer> streams, int seconds, int threads, boolean paced, Path work, List<String> extras,
                         int speakers, Path vadModel, boolean capacity) {
    }

    /** One paced run of a capacity ladder: of {@code streams} fed in real time, {@code keptUp} kept up. */
    public record Step(int streams, int keptUp, double largestBacklogMs, double cpuSeconds) {
        static Step parse(JsonNode n) {
            return new Step(n.get("streams").asInt(), n.get("keptUp").asInt(), n.get("largestBacklogMs").asDouble(),
                    n.get("pacedCpuSeconds").asDouble());
        }
    }

    /**
     * One side's capacity: the paced runs of a ladder of stream counts, climbed until one left a stream behind.
     * {@link #keptUp()} is the largest count of the ladder at which every stream kept up (0 if the first did not);
     * {@link #exceeded()} says whether the ladder found the limit or ran out first (then the capacity is at least
     * that).
     */
    public record Capacity(String side, String precision, List<Step> steps) {
        public int keptUp() {
            return steps.stream().filter(s -> s.keptUp() == s.streams()).mapToInt(Step::streams).max().orElse(0);
        }

        public boolean exceeded() {
            return !steps.isEmpty() && steps.get(steps.size() - 1).keptUp() < steps.get(steps.size() - 1).streams();
        }

        /** "12" when the ladder found the limit; "at least 16" when its top rung still kept up. */
        public String describe() {
            return (exceeded() ? "" : "at least ") + keptUp();
        }

        static Capacity parse(JsonNode n) {
            List<Step> steps = new ArrayList<>();
            n.get("ladder").forEach(s -> steps.add(Step.parse(s)));
            return new Capacity(n.get("side").asText(), n.get("precision").asText(), steps);
        }
    }

    /** The ladder argument of both sides' runners ({@code ladder:8,10,12}); empty for any other mode argument. */
    static List<Integer> parseLadder(String mode) {
        if (!mode.startsWith("ladder:")) return List.of();
        List<Integer> counts = new ArrayList<>();
        for (String n : mode.substring(7).split(",")) counts.add(Integer.parseInt(n.trim()));
        return counts;
    }

    /** One side's figures for one precision and stream count. */
    public record Side(String side, String precision, int streams, int seconds, double wallSeconds, double cpuSeconds,
                       String transcript, double rssAfterLoadMiB, double runPeakRssMiB, double peakRssMiB, int keptUp,
                       double largestBacklogMs) {
        /** Audio processed per second of wall time, all streams together. */
        public double timesRealTime() {
            return streams * (double) seconds / wallSeconds;
        }

        /** Wall time over audio time, one stream's worth: below 1/streams is faster than real time for all. */
        public double realTimeFactor() {
            return wallSeconds / (streams * (double) seconds);
        }

        public double cpuSecondsPerStream() {
            return cpuSeconds / streams;
        }

        /**
         * Resident memory while the streams ran (sampled) above what the process held after loading and warming up,
         * per stream; the process's all-time peak ({@link #peakRssMiB}) includes the model load's transient.
         */
        public double peakMiBPerStream() {
            return Math.max(0, runPeakRssMiB - rssAfterLoadMiB) / streams;
        }

        static Side parse(JsonNode n) {
            return new Side(n.get("side").asText(), n.get("precision").asText(), n.get("streams").asInt(),
                    n.get("seconds").asInt(), n.get("wallSeconds").asDouble(), n.get("cpuSeconds").asDouble(),
                    n.get("transcript").asText(), n.get("rssAfterLoadMiB").asDouble(), n.get("runPeakRssMiB").asDouble(),
                    n.get("peakRssMiB").asDouble(),
                    n.has("keptUp") ? n.get("keptUp").asInt() : -1,
                    n.has("largestBacklogMs") ? n.get("largestBacklogMs").asDouble() : Double.NaN);
        }
    }

    /** Both sides of one precision and stream count. */
    public record Row(Side ours, Side theirs) {
        public boolean sameTranscript() {
            return normalise(ours.transcript()).equals(normalise(theirs.transcript()));
        }

        static String normalise(String s) {
            return s.trim().replaceAll("\\s+", " ");
        }
    }

    private final Config config;
    private final SherpaOnnxNode sherpa;
    private final PrintWriter out;

    public PeerBenchmark(Config config, SherpaOnnxNode sherpa, PrintWriter out) {
        this.config = config;
        this.sherpa = sherpa;
        this.out = out;
    }

    /** Writes a constructed benchmark model (fp32 and int8 files side by side) for one chunk size; returns its root. */
    public static Path writeModel(TestModelSpec spec, Path root) throws IOException {
        for (String precision : List.of("fp32", "int8")) {
            TestModelWriter.write(spec.withPrecision(org.streamasr.tools.testmodel.TestModelPrecision.parse(precision)), root);
        }
        return root;
    }

    /**
     * The capacity search: per precision, each side climbs the stream counts (ascending) with paced runs until one
     * leaves a stream behind; prints each side's steps as they finish and a table of capacities and their ratio.
     */
    public List<Capacity[]> runCapacity() throws IOException, InterruptedException {
        List<Integer> ladder = config.streams().stream().sorted().distinct().toList();
        Path audio = writeAudio(config.work().resolve("peer-audio.f32"), ladder.get(ladder.size() - 1));
        Path export = config.modelRoot().resolve(TestModelWriter.exportName(config.variant(), config.chunkMs()));
        out.printf(Locale.ROOT, "model %s; capacity search: paced runs of %s streams, each side until one falls behind; "
                        + "%d s of %s per stream; %d ms chunks; %d ONNX Runtime thread(s) each side; %d cores%n", export,
                ladder, config.seconds(), config.speakers() == 0 ? "tone audio" : "conference audio ("
                        + config.speakers() + " speaking at a time; ours skips silent chunks by VAD, sherpa decodes all)",
                config.chunkMs(), config.threads(), Runtime.getRuntime().availableProcessors());
        String mode = "ladder:" + ladder.stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(","));
        List<Capacity[]> rows = new ArrayList<>();
        for (String precision : config.precisions()) {
            Capacity ours = Capacity.parse(runChild(oursCommand(precision, audio, ladder.get(ladder.size() - 1), mode),
                    config.work(), System.getProperty("java.class.path")));
            out.println(capacityLine(ours));
            out.flush();
            Capacity theirs = Capacity.parse(runChild(sherpaCommand(export, precision, audio,
                    ladder.get(ladder.size() - 1), mode), sherpa.directory(), null));
            out.println(capacityLine(theirs));
            out.flush();
            rows.add(new Capacity[] {ours, theirs});
        }
        out.println();
        out.println(capacityTable(rows));
        return rows;
    }

    /** The capacity table: one row per precision. */
    public static String capacityTable(List<Capacity[]> rows) {
        StringBuilder sb = new StringBuilder("| precision | streams kept up ours / sherpa (ratio) | first count left behind "
                + "ours / sherpa (largest backlog ms) | CPU s per stream at capacity ours / sherpa |\n|---|---|---|---|\n");
        for (Capacity[] r : rows) {
            Capacity o = r[0];
            Capacity t = r[1];
            sb.append(String.format(Locale.ROOT, "| %s | %s / %s (%s) | %s / %s | %s / %s |%n", o.precision(),
                    o.describe(), t.describe(), t.keptUp() == 0 ? (o.keptUp() == 0 ? "-" : "inf")
                            : String.format(Locale.ROOT, "%s%.2f", o.exceeded() ? "" : "at least ",
                            o.keptUp() / (double) t.keptUp()),
                    leftBehind(o), leftBehind(t), cpuAtCapacity(o), cpuAtCapacity(t)));
        }
        return sb.toString();
    }

    private static String leftBehind(Capacity c) {
        if (!c.exceeded()) return "none";
        Step last = c.steps().get(c.steps().size() - 1);
        return String.format(Locale.ROOT, "%d (%d kept up, %.0f)", last.streams(), last.keptUp(), last.largestBacklogMs());
    }

    private static String cpuAtCapacity(Capacity c) {
        return c.steps().stream().filter(s -> s.streams() == c.keptUp()).findFirst()
                .map(s -> String.format(Locale.ROOT, "%.2f", s.cpuSeconds() / s.streams())).orElse("-");
    }

    private static String capacityLine(Capacity c) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%s, %s: keeps up %s stream(s);", c.precision(),
                c.side(), c.describe()));
        for (Step s : c.steps()) {
            sb.append(String.format(Locale.ROOT, " %d: %d kept up (largest backlog %.0f ms, %.2f CPU s per stream);",
                    s.streams(), s.keptUp(), s.largestBacklogMs(), s.cpuSeconds() / s.streams()));
        }
        return sb.toString();
    }

    public List<Row> run() throws IOException, InterruptedException {
        int maxStreams = config.streams().stream().mapToInt(Integer::intValue).max().orElse(1);
        Path audio = writeAudio(config.work().resolve("peer-audio.f32"), maxStreams);
        Path export = config.modelRoot().resolve(TestModelWriter.exportName(config.variant(), config.chunkMs()));
        out.printf(Locale.ROOT, "model %s; %d s of %s per stream; %d ms chunks; %d ONNX Runtime thread(s) each side; "
                        + "%d cores; %s%n", export, config.seconds(), config.speakers() == 0 ? "tone audio"
                        : "conference audio (" + config.speakers() + " speaking at a time, the rest noise; ours skips "
                        + "silent chunks by VAD, sherpa decodes all)", config.chunkMs(), config.threads(),
                Runtime.getRuntime().availableProcessors(), config.paced() ? "throughput and paced runs" : "throughput runs");
        List<Row> rows = new ArrayList<>();
        for (String precision : config.precisions()) {
            for (int n : config.streams()) {
                String mode = config.paced() ? "1" : "0";
                Side ours = Side.parse(runChild(oursCommand(precision, audio, n, mode), config.work(),
                        System.getProperty("java.class.path")));
                Side theirs = Side.parse(runChild(sherpaCommand(export, precision, audio, n, mode), sherpa.directory(), null));
                Row row = new Row(ours, theirs);
                rows.add(row);
                out.println(line(row));
                out.flush();
            }
        }
        out.println();
        out.println(table(rows));
        return rows;
    }

    /** The summary table: one row per precision and stream count. */
    public static String table(List<Row> rows) {
        StringBuilder sb = new StringBuilder();
        sb.append("| precision | streams | x real time ours / sherpa (ratio) | RTF ours / sherpa "
                + "| streams kept up ours / sherpa (ratio) "
                + "| CPU s per stream ours / sherpa (ratio) | MiB per stream while running ours / sherpa "
                + "| peak RSS MiB (load included) ours / sherpa "
                + "| same transcript |\n|---|---|---|---|---|---|---|---|---|\n");
        for (Row r : rows) {
            Side o = r.ours();
            Side t = r.theirs();
            sb.append(String.format(Locale.ROOT, "| %s | %d | %.2f / %.2f (%.2f) | %.4f / %.4f | %s / %s (%s) | %.2f / %.2f (%.2f) | %.1f / %.1f | %.0f / %.0f | %s |%n",
                    o.precision(), o.streams(), o.timesRealTime(), t.timesRealTime(), o.timesRealTime() / t.timesRealTime(),
                    o.realTimeFactor(), t.realTimeFactor(), kept(o), kept(t), keptRatio(o, t),
                    o.cpuSecondsPerStream(), t.cpuSecondsPerStream(),
                    o.cpuSecondsPerStream() / t.cpuSecondsPerStream(), o.peakMiBPerStream(), t.peakMiBPerStream(),
                    o.peakRssMiB(), t.peakRssMiB(), r.sameTranscript() ? "yes" : "NO"));
        }
        return sb.toString();
    }

    /** Streams kept up, ours over sherpa's ("-" without a paced run; "inf" where sherpa kept none and we some). */
    private static String keptRatio(Side o, Side t) {
        if (o.keptUp() < 0 || t.keptUp() < 0) return "-";
        if (t.keptUp() == 0) return o.keptUp() == 0 ? "-" : "inf";
        return String.format(Locale.ROOT, "%.2f", o.keptUp() / (double) t.keptUp());
    }

    private static String kept(Side s) {
        return s.keptUp() < 0 ? "-" : String.valueOf(s.keptUp());
    }

    private static String line(Row r) {
        Side o = r.ours();
        Side t = r.theirs();
        return String.format(Locale.ROOT, "%s, %d stream(s): ours %.2fx real time (RTF %.4f), sherpa %.2fx (RTF %.4f); "
                        + "kept up %s vs %s (largest backlog %.0f vs %.0f ms); CPU s per stream %.2f vs %.2f; "
                        + "MiB per stream %.1f vs %.1f (peak RSS %.0f vs %.0f); transcripts %s",
                o.precision(), o.streams(), o.timesRealTime(), o.realTimeFactor(), t.timesRealTime(), t.realTimeFactor(),
                kept(o), kept(t), o.largestBacklogMs(), t.largestBacklogMs(), o.cpuSecondsPerStream(),
                t.cpuSecondsPerStream(), o.peakMiBPerStream(), t.peakMiBPerStream(), o.peakRssMiB(), t.peakRssMiB(),
                r.sameTranscript() ? "identical" : "DIFFER: ours '" + o.transcript() + "', sherpa '" + t.transcript() + "'");
    }

    private List<String> oursCommand(String precision, Path audio, int streams, String mode) {
        // The class path goes in CLASSPATH, not -cp: ONNX Runtime 1.29 reads /proc/self/cmdline when it loads and
        // the process dies of a stack overflow (SIGSEGV, no hs_err) when that line is a few kB of expanded jars.
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                OursPeerRun.class.getName()));
        cmd.addAll(args(config.modelRoot(), precision, audio, streams, mode));
        cmd.addAll(config.extras());
        if (config.speakers() > 0) {
            cmd.add(OursPeerRun.VAD_MODEL + "=" + config.vadModel());
            cmd.add("nemotron.vad-skip=true");
        }
        return cmd;
    }

    private List<String> sherpaCommand(Path export, String precision, Path audio, int streams, String mode) {
        List<String> cmd = new ArrayList<>(List.of("node", sherpa.script().toString()));
        cmd.addAll(args(export, precision, audio, streams, mode));
        return cmd;
    }

    private List<String> args(Path model, String precision, Path audio, int streams, String mode) {
        return List.of(model.toString(), precision, audio.toString(), String.valueOf(streams),
                String.valueOf(config.seconds()), String.valueOf(config.threads()), String.valueOf(config.chunkMs()), mode);
    }

    /** Runs one side and parses its {@code RESULT} line; its other output goes to a log shown when it fails. */
    static JsonNode runChild(List<String> cmd, Path dir, String classPath) throws IOException, InterruptedException {
        Path log = Files.createTempFile("bench-peer-", ".log");
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            if (classPath != null) pb.environment().put("CLASSPATH", classPath);
            Process p = pb.start();
            if (!p.waitFor(60, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IOException(cmd.get(0) + " did not finish within an hour");
            }
            String output = Files.readString(log, StandardCharsets.UTF_8);
            for (String l : output.split("\n")) {
                if (l.startsWith("RESULT ")) return new ObjectMapper().readTree(l.substring(7));
            }
            Path kept = Files.createTempFile("bench-peer-failed-", ".log");
            Files.writeString(kept, output);
            throw new IOException(cmd.get(0) + " ... " + cmd.get(cmd.size() - 1) + " exited " + p.exitValue() + " without a result; its output is in " + kept + "; the command: " + String.join(" ", cmd));
        } finally {
            Files.deleteIfExists(log);
        }
    }

    /**
     * Each stream: the sample sentences, after a lead-in of silence that differs between streams so that their chunks
     * differ (as {@code bench-engine}), repeated as many whole times as fit, then silence (a sentence cut off at the
     * end would make the two sides' last words depend on how each flushes); 16 kHz float32, little-endian, stream
     * after stream. The lead-in is at least 320 ms: sherpa-onnx spends the first window's nine mel frames of real
     * audio as encoder cache where we prepend silence, so a tone in those 90 ms would read differently.
     */
    private Path writeAudio(Path file, int streams) throws IOException {
        if (config.speakers() > 0) return ConferenceAudio.write(file, streams, config.speakers(), config.seconds());
        int n = config.seconds() * ToneScript.SAMPLE_RATE;
        ByteBuffer b = ByteBuffer.allocate(streams * n * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < streams; i++) {
            float[] one = script(config.variant(), i).samples();
            int whole = Math.max(1, n / one.length) * one.length;
            for (int at = 0; at < n; at++) b.putFloat(at < whole ? one[at % one.length] : 0f);
        }
        Files.write(file, b.array());
        return file;
    }

    /** Stream {@code i}'s sentences, before repetition (also what a test expects each repetition to read as). */
    public static ToneScript script(TestModelVariant variant, int i) {
        return ToneScript.builder(variant).leadingSilenceMillis(320 + 80 * (i % 13))
                .say("en-US", "hello world. this is a test of streaming speech recognition.")
                .say("en-US", "good morning, world?").pauseMillis(960).build();
    }
}
