package org.streamasr.tools.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.streamasr.media.CallHandle;
import org.streamasr.media.MediaMetrics;
import org.streamasr.media.ParticipantAudio;
import org.streamasr.media.ParticipantSpec;
import org.streamasr.media.PcmFrame;
import org.streamasr.media.codec.AudioCodec;
import org.streamasr.media.codec.CodecSpec;
import org.streamasr.media.g711.G711;
import org.streamasr.media.opus.OpusFrameEncoder;
import org.streamasr.media.pipeline.MediaTimer;
import org.streamasr.media.resample.StreamingResampler;
import org.streamasr.media.rtp.PayloadTypeMap;
import org.streamasr.media.rtp.RtpEndpoint;
import org.streamasr.media.rtp.RtpEndpointSpec;
import org.streamasr.media.rtp.RtpSession;
import org.streamasr.media.wav.WavFile;

/**
 * Benchmark (not a test): CPU time to turn RTP packets into 16 kHz PCM frames, per second of audio, for Opus and
 * PCMU, next to ffmpeg decoding and resampling the same audio in the same run.
 *
 * <p>Ours: datagrams (prepared beforehand) are copied and parsed as the network thread does, then go through a
 * participant's whole pipeline (jitter buffer, decoder, resampler, framer) on one thread, on a simulated clock
 * advancing 20 ms per packet; frames are counted and dropped. CPU time is the thread's ({@link ThreadMXBean}), after
 * a warm-up run. ffmpeg: {@code ffmpeg -threads 1} decodes the same audio to 16 kHz s16 (PCMU: the very payload bytes
 * as a raw µ-law file; Opus: an Ogg/Opus file ffmpeg encoded from the same PCM at the same bitrate and frame size,
 * since ffmpeg has no raw Opus-packet input), looped as many times as ours runs streams. Its CPU time is the
 * child's user+system time from bash's {@code times}, minus the same for an empty run of the same input (process
 * start-up). Note that ffmpeg's libopus decoder runs at 48 kHz and then resamples, where ours asks libopus for
 * 16 kHz directly. Sockets are not part of either.
 */
public final class RtpDecodeBench {
    /** One codec's figures. */
    public record Result(String codec, double audioSeconds, int streams, double oursCpuSeconds, double ffmpegCpuSeconds) {
        public double oursPerAudioSecond() {
            return oursCpuSeconds / (audioSeconds * streams);
        }

        public double ffmpegPerAudioSecond() {
            return ffmpegCpuSeconds / (audioSeconds * streams);
        }

        /**
         * The table row. A figure that is not above zero (no ffmpeg, or a run so short that ffmpeg's own cost is
         * within the noise of its start-up, which is subtracted) shows as "n/a", not as a negative rate.
         */
        public String row() {
            return String.format(java.util.Locale.ROOT, "%-6s %14s %14s %16s %16s", codec, perSecond(oursPerAudioSecond()),
                    perSecond(ffmpegPerAudioSecond()), perCore(oursPerAudioSecond()), perCore(ffmpegPerAudioSecond()));
        }

        private static String perSecond(double v) {
            return v > 0 ? String.format(java.util.Locale.ROOT, "%.5f", v) : "n/a";
        }

        private static String perCore(double v) {
            return v > 0 ? String.format(java.util.Locale.ROOT, "%.0f", 1 / v) : "n/a";
        }
    }

    private static final InetSocketAddress SENDER = new InetSocketAddress(InetAddress.getLoopbackAddress(), 5004);
    private final short[] pcm16k;
    private final int streams;
    private final Path work;

    /**
     * @param pcm16k  the audio (16 kHz mono); every stream sends all of it
     * @param streams streams run one after another (more streams, steadier figures)
     * @param work    a scratch directory for ffmpeg's input files
     */
    public RtpDecodeBench(short[] pcm16k, int streams, Path work) {
        this.pcm16k = pcm16k;
        this.streams = streams;
        this.work = work;
    }

    /** Loops {@code pcm} (16 kHz) to {@code seconds}. */
    public static short[] loop(short[] pcm, int seconds) {
        short[] out = new short[seconds * PcmFrame.SAMPLE_RATE];
        for (int i = 0; i < out.length; i += pcm.length) System.arraycopy(pcm, 0, out, i, Math.min(pcm.length, out.length - i));
        return out;
    }

    public List<Result> run(PrintStream log) throws IOException, InterruptedException {
        double seconds = pcm16k.length / (double) PcmFrame.SAMPLE_RATE;
        List<Result> results = new ArrayList<>();

        List<byte[]> opus = opusPackets();
        short[] pcm8k = to8k();
        List<byte[]> pcmu = pcmuPackets(pcm8k);
        log.printf("input: %.1f s of 16 kHz speech; %d Opus packets (32 kbit/s, 20 ms), %d PCMU packets (20 ms)%n",
                seconds, opus.size(), pcmu.size());

        // warm-up: JIT, libopus load, resampler design
        runOurs(opus.subList(0, Math.min(500, opus.size())), 111, CodecSpec.of(AudioCodec.OPUS), 1);
        runOurs(pcmu.subList(0, Math.min(500, pcmu.size())), 0, CodecSpec.of(AudioCodec.PCMU), 1);

        double oursOpus = runOurs(opus, 111, CodecSpec.of(AudioCodec.OPUS), streams);
        double oursPcmu = runOurs(pcmu, 0, CodecSpec.of(AudioCodec.PCMU), streams);

        double ffOpus = Double.NaN;
        double ffPcmu = Double.NaN;
        if (onPath("ffmpeg") && onPath("bash")) {
            Path wav = work.resolve("bench.wav");
            new WavFile(16_000, 1, pcm16k).write(wav);
            Path ogg = work.resolve("bench.ogg");
            exec(List.of("ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-i", wav.toString(), "-c:a", "libopus",
                    "-b:a", "32k", "-frame_duration", "20", "-application", "voip", ogg.toString()));
            Path ulaw = work.resolve("bench.ulaw");
            ByteBuffer raw = ByteBuffer.allocate(pcm8k.length);
            for (byte[] p : pcmu) raw.put(p, 12, p.length - 12);
            Files.write(ulaw, raw.array());
            List<String> opusIn = List.of("-i", ogg.toString());
            List<String> pcmuIn = List.of("-f", "mulaw", "-ar", "8000", "-ac", "1", "-i", ulaw.toString());
            double opusStart = ffmpegCpu(opusIn, 0);
            double pcmuStart = ffmpegCpu(pcmuIn, 0);
            ffOpus = ffmpegCpu(opusIn, streams) - opusStart;
            ffPcmu = ffmpegCpu(pcmuIn, streams) - pcmuStart;
            log.printf("ffmpeg start-up (an empty run of each, subtracted): Opus %.3f, PCMU %.3f CPU s%n", opusStart,
                    pcmuStart);
        } else {
            log.println("ffmpeg or bash not found: no ffmpeg figures");
        }
        results.add(new Result("opus", seconds, streams, oursOpus, ffOpus));
        results.add(new Result("pcmu", seconds, streams, oursPcmu, ffPcmu));
        log.println();
        log.println("RTP packets -> 16 kHz PCM, CPU seconds per second of audio (lower is better); streams per core:");
        log.printf("%-6s %14s %14s %16s %16s%n", "codec", "ours", "ffmpeg", "ours streams/core", "ffmpeg streams/core");
        for (Result r : results) log.println(r.row());
        if (results.stream().anyMatch(r -> !(r.ffmpegPerAudioSecond() > 0)) && !Double.isNaN(ffOpus)) {
            log.println("n/a: ffmpeg's cost is within the noise of its start-up at this length; use --seconds 60 or more");
        }
        return results;
    }

    /** Runs {@code packets} through {@code streams} participant pipelines, one after another; returns CPU seconds. */
    private double runOurs(List<byte[]> packets, int pt, CodecSpec codec, int streams) {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long[] frames = new long[1];
        long cpu0 = mx.getCurrentThreadCpuTime();
        for (int s = 0; s < streams; s++) {
            SimulatedClock clock = new SimulatedClock();
            CountingCall call = new CountingCall(frames);
            RtpEndpointSpec spec = RtpEndpointSpec.of(PayloadTypeMap.of(pt, codec));
            try (RtpSession session = new RtpSession(spec, call, RtpEndpoint.Listener.NONE, Runnable::run, clock, clock,
                    new MediaMetrics())) {
                for (byte[] datagram : packets) {
                    byte[] copy = datagram.clone(); // what the network thread does with each datagram
                    session.receive(copy, copy.length, SENDER);
                    clock.now += TimeUnit.MILLISECONDS.toNanos(20);
                }
            }
        }
        long cpu = mx.getCurrentThreadCpuTime() - cpu0;
        if (frames[0] == 0) throw new IllegalStateException("no frames came out of the pipeline");
        return cpu / 1e9;
    }

    private List<byte[]> opusPackets() {
        List<byte[]> out = new ArrayList<>();
        try (OpusFrameEncoder enc = new OpusFrameEncoder(16_000, 32_000, 0)) {
            for (int off = 0, seq = 0; off + 320 <= pcm16k.length; off += 320, seq++) {
                out.add(rtp(111, seq, seq * 960L, enc.encode(pcm16k, off, 320)));
            }
        }
        return out;
    }

    private short[] to8k() {
        StreamingResampler r = StreamingResampler.create(16_000, 8_000);
        short[] out = new short[r.maxOutput(pcm16k.length) + r.maxOutput(0)];
        int n = r.process(pcm16k, 0, pcm16k.length, out);
        short[] tail = new short[r.maxOutput(0)];
        int t = r.flush(tail);
        System.arraycopy(tail, 0, out, n, t);
        return java.util.Arrays.copyOf(out, n + t);
    }

    private static List<byte[]> pcmuPackets(short[] pcm8k) {
        List<byte[]> out = new ArrayList<>();
        for (int off = 0, seq = 0; off + 160 <= pcm8k.length; off += 160, seq++) {
            byte[] payload = new byte[160];
            for (int i = 0; i < 160; i++) payload[i] = G711.linearToUlaw(pcm8k[off + i]);
            out.add(rtp(0, seq, seq * 160L, payload));
        }
        return out;
    }

    static byte[] rtp(int pt, int seq, long ts, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(12 + payload.length);
        b.put((byte) 0x80).put((byte) pt).putShort((short) seq).putInt((int) ts).putInt(0x0bead5).put(payload);
        return b.array();
    }

    /**
     * CPU seconds of ffmpeg decoding {@code input} {@code times} times over to 16 kHz s16 ({@code times} 0: an
     * empty run, 20 ms of output, for the start-up cost).
     */
    private double ffmpegCpu(List<String> input, int times) throws IOException, InterruptedException {
        List<String> ff = new ArrayList<>(List.of("ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-threads", "1"));
        if (times > 1) ff.addAll(List.of("-stream_loop", String.valueOf(times - 1)));
        ff.addAll(input);
        if (times == 0) ff.addAll(List.of("-t", "0.02"));
        ff.addAll(List.of("-threads", "1", "-ac", "1", "-ar", "16000", "-f", "s16le", "-y", "/dev/null"));
        String script = String.join(" ", ff.stream().map(a -> "'" + a.replace("'", "'\\''") + "'").toList())
                + " || exit 1; times";
        String out = exec(List.of("bash", "-c", script));
        String[] lines = out.strip().split("\n");
        String[] child = lines[lines.length - 1].trim().split("\\s+");
        return seconds(child[0]) + seconds(child[1]);
    }

    /** bash's "0m1.234s". */
    private static double seconds(String t) {
        int m = t.indexOf('m');
        return Integer.parseInt(t.substring(0, m)) * 60 + Double.parseDouble(t.substring(m + 1, t.length() - 1));
    }

    private String exec(List<String> cmd) throws IOException, InterruptedException {
        Path log = Files.createTempFile(work, "bench-", ".log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(10, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IOException(cmd.get(0) + " did not finish");
        }
        String out = Files.readString(log, StandardCharsets.UTF_8);
        Files.delete(log);
        if (p.exitValue() != 0) throw new IOException(String.join(" ", cmd) + " failed:\n" + out);
        return out;
    }

    private static boolean onPath(String tool) {
        String path = System.getenv("PATH");
        if (path == null) return false;
        for (String dir : path.split(java.io.File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, tool))) return true;
        }
        return false;
    }

    /** A clock the bench moves by hand; timers are never needed since packets arrive in order. */
    static final class SimulatedClock implements LongSupplier, MediaTimer {
        long now = 1_000_000_000L;

        @Override
        public long getAsLong() {
            return now;
        }

        @Override
        public Runnable schedule(Runnable task, long delayNanos) {
            return () -> { };
        }
    }

    /** Counts frames and drops them. */
    static final class CountingCall implements CallHandle {
        private final long[] frames;

        CountingCall(long[] frames) {
            this.frames = frames;
        }

        @Override
        public String callId() {
            return "bench";
        }

        @Override
        public ParticipantAudio openParticipant(ParticipantSpec spec) {
            return new ParticipantAudio() {
                @Override
                public String participantId() {
                    return spec.participantId();
                }

                @Override
                public void push(PcmFrame frame) {
                    frames[0]++;
                }

                @Override
                public void close() {
                }
            };
        }

        @Override
        public void close() {
        }
    }

}
