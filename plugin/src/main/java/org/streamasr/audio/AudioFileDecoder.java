package org.streamasr.audio;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.streamasr.media.wav.WavFile;

/**
 * Decodes audio files (wav, mp3, ogg/opus, flac, m4a, webm, ...) to 16 kHz mono floats with the {@code ffmpeg}
 * binary. The binary, not a JNI binding: a crash or hang on hostile input stays in a child process that we can time
 * out and kill, and Debian's ffmpeg brings every demuxer and decoder we need. Only audio container demuxers and the
 * file protocol are enabled ({@link #INPUT_FORMATS}), so an input can never make ffmpeg open other files or URLs.
 * 16 kHz mono 16-bit WAV is read in Java without a child process.
 */
public final class AudioFileDecoder {
    public static final int SAMPLE_RATE = 16_000;
    /**
     * Demuxers ffmpeg may use: audio containers only. Playlist and concatenation formats (hls, concat, dash, ...) are
     * left out because they open further files or URLs named inside the input, which hostile input could point at
     * local files or internal hosts; and the only protocol allowed is the local file we hand over.
     */
    static final String INPUT_FORMATS = "wav,w64,mp3,ogg,flac,mov,mp4,m4a,matroska,webm,aac,aiff,caf,amr,wv,ape,tta,au,asf,voc";

    private final String ffmpeg;
    private final Duration timeout;
    private final Duration maxDuration;

    /**
     * @param ffmpeg      path or name of the ffmpeg binary
     * @param timeout     wall-clock limit for one decode
     * @param maxDuration audio beyond this is refused
     */
    public AudioFileDecoder(String ffmpeg, Duration timeout, Duration maxDuration) {
        this.ffmpeg = ffmpeg;
        this.timeout = timeout;
        this.maxDuration = maxDuration;
    }

    public static AudioFileDecoder withDefaults() {
        return new AudioFileDecoder("ffmpeg", Duration.ofMinutes(5), Duration.ofHours(4));
    }

    public float[] decode(byte[] bytes) throws UndecodableAudioException, IOException {
        float[] direct = tryPlainWav(bytes);
        if (direct != null) return direct;
        Path tmp = Files.createTempFile("asr-decode-", ".bin");
        try {
            Files.write(tmp, bytes);
            return runFfmpeg(tmp);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    public float[] decode(Path file) throws UndecodableAudioException, IOException {
        if (!Files.isRegularFile(file)) throw new IOException(file + ": no such file");
        if (Files.size(file) < 64L * 1024 * 1024) {
            float[] direct = tryPlainWav(Files.readAllBytes(file));
            if (direct != null) return direct;
        }
        return runFfmpeg(file);
    }

    private float[] tryPlainWav(byte[] bytes) throws UndecodableAudioException {
        WavFile wav = plainWav(bytes);
        return wav == null ? null : WavFile.toFloat(wav.samples());
    }

    /** The WAV if {@code bytes} are 16 kHz mono 16-bit PCM WAV (read without ffmpeg), else null. */
    private WavFile plainWav(byte[] bytes) throws UndecodableAudioException {
        try {
            WavFile wav = WavFile.parse(bytes, "input");
            if (wav.sampleRate() != SAMPLE_RATE || wav.channels() != 1) return null;
            checkDuration(wav.frames());
            return wav;
        } catch (IOException notPlainWav) {
            return null;
        }
    }

    /**
     * Opens {@code input} for decoding to 16 kHz mono, read as it is decoded. A plain 16 kHz mono WAV is read in Java;
     * anything else first has its stated duration checked with ffprobe (a container that states more than the limit
     * is refused before a single sample is decoded), then ffmpeg decodes it into a pipe that the caller reads, and is
     * stopped at the limit for containers that state no duration. Nothing decoded goes to disk.
     */
    public DecodedAudioStream open(Path input) throws UndecodableAudioException, IOException {
        if (!Files.isRegularFile(input)) throw new IOException(input + ": no such file");
        if (Files.size(input) < 64L * 1024 * 1024) {
            WavFile wav = plainWav(Files.readAllBytes(input));
            if (wav != null) return new WavAudioStream(wav.samples());
        }
        long stated = statedSamples(input);
        if (stated > maxSamples()) {
            throw new AudioTooLongException(String.format(java.util.Locale.ROOT,
                    "audio of %.1f s (as its container states) is longer than the limit of %d s",
                    stated / (double) SAMPLE_RATE, maxDuration.toSeconds()));
        }
        return FfmpegAudioStream.start(ffmpeg, input, maxDuration, timeout, stated);
    }

    /** The samples at 16 kHz that the container of {@code input} states, or -1 (none stated, or no ffprobe). */
    long statedSamples(Path input) throws IOException {
        List<String> cmd = List.of(ffprobe(), "-v", "error", "-protocol_whitelist", "file", "-format_whitelist",
                INPUT_FORMATS, "-show_entries", "format=duration", "-of", "default=noprint_wrappers=1:nokey=1",
                input.toString());
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        } catch (IOException e) {
            return -1;
        }
        try {
            byte[] out = p.getInputStream().readNBytes(256);
            if (!p.waitFor(Math.min(timeout.toMillis(), 30_000), TimeUnit.MILLISECONDS) || p.exitValue() != 0) return -1;
            String text = new String(out, StandardCharsets.US_ASCII).strip();
            double seconds = Double.parseDouble(text);
            return Double.isFinite(seconds) && seconds >= 0 ? (long) (seconds * SAMPLE_RATE) : -1;
        } catch (NumberFormatException e) {
            return -1;   // "N/A": the container states no duration
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while probing audio");
        } finally {
            p.destroyForcibly();
        }
    }

    /** ffprobe next to the configured ffmpeg (the Debian package ffmpeg installs both). */
    private String ffprobe() {
        int slash = ffmpeg.lastIndexOf('/');
        String name = ffmpeg.substring(slash + 1).replace("ffmpeg", "ffprobe");
        return ffmpeg.substring(0, slash + 1) + name;
    }

    private long maxSamples() {
        return maxDuration.toSeconds() * SAMPLE_RATE;
    }

    private float[] runFfmpeg(Path input) throws UndecodableAudioException, IOException {
        try (DecodedAudioStream in = open(input)) {
            float[] out = new float[SAMPLE_RATE * 10];
            int n = 0;
            while (true) {
                if (n == out.length) out = java.util.Arrays.copyOf(out, out.length * 2);
                int r = in.read(out, n, out.length - n);
                if (r < 0) return java.util.Arrays.copyOf(out, n);
                n += r;
            }
        }
    }

    /** A plain WAV already in memory. */
    private static final class WavAudioStream implements DecodedAudioStream {
        private final short[] samples;
        private int at;

        WavAudioStream(short[] samples) {
            this.samples = samples;
        }

        @Override
        public int read(float[] out, int offset, int length) {
            if (at >= samples.length) return -1;
            int n = Math.min(length, samples.length - at);
            for (int i = 0; i < n; i++) out[offset + i] = samples[at + i] / 32768f;
            at += n;
            return n;
        }

        @Override
        public long statedSamples() {
            return samples.length;
        }

        @Override
        public void close() {
        }
    }

    static String readTail(Path log) throws IOException {
        long size = Files.size(log);
        try (var ch = Files.newByteChannel(log)) {
            ch.position(Math.max(0, size - 4096));
            ByteBuffer buf = ByteBuffer.allocate((int) Math.min(size, 4096));
            while (buf.hasRemaining() && ch.read(buf) > 0) {
                // read the tail
            }
            return new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8);
        }
    }

    private void checkDuration(long samples) throws UndecodableAudioException {
        if (samples > maxSamples()) {
            throw new AudioTooLongException("audio longer than the limit of " + maxDuration.toSeconds() + " s");
        }
    }
}
