package org.streamasr.audio;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
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
 * out and kill, and Debian's ffmpeg brings every demuxer and decoder we need. 16 kHz mono 16-bit WAV is read in
 * Java without a child process.
 */
public final class AudioFileDecoder {
    public static final int SAMPLE_RATE = 16_000;

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
        try {
            WavFile wav = WavFile.parse(bytes, "input");
            if (wav.sampleRate() != SAMPLE_RATE || wav.channels() != 1) return null;
            checkDuration(wav.frames());
            return WavFile.toFloat(wav.samples());
        } catch (IOException notPlainWav) {
            return null;
        }
    }

    private float[] runFfmpeg(Path input) throws UndecodableAudioException, IOException {
        List<String> cmd = List.of(ffmpeg, "-nostdin", "-hide_banner", "-loglevel", "error", "-i", input.toString(),
                "-t", Long.toString(maxDuration.toSeconds() + 1), "-vn", "-ac", "1", "-ar", Integer.toString(SAMPLE_RATE),
                "-f", "s16le", "pipe:1");
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(false).start();
        } catch (IOException e) {
            throw new IOException("cannot run ffmpeg ('" + ffmpeg + "'): install the Debian package ffmpeg", e);
        }
        try {
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            Thread errReader = new Thread(() -> copyQuietly(p.getErrorStream(), err, 64 * 1024), "ffmpeg-stderr");
            errReader.setDaemon(true);
            errReader.start();
            ByteArrayOutputStream pcm = new ByteArrayOutputStream();
            long maxBytes = (maxDuration.toSeconds() + 1) * SAMPLE_RATE * 2;
            copyQuietly(p.getInputStream(), pcm, maxBytes);
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new UndecodableAudioException("decoding took longer than " + timeout.toSeconds() + " s");
            }
            errReader.join(1000);
            if (p.exitValue() != 0) {
                String msg = err.toString(StandardCharsets.UTF_8).strip();
                String last = msg.isEmpty() ? "ffmpeg exit code " + p.exitValue() : msg.lines().reduce((a, b) -> b).orElse(msg);
                throw new UndecodableAudioException("cannot decode audio: " + last.replace(input.toString(), "input"));
            }
            byte[] bytes = pcm.toByteArray();
            if (bytes.length < 2) throw new UndecodableAudioException("cannot decode audio: no audio stream in the input");
            checkDuration(bytes.length / 2);
            ByteBuffer bb = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
            float[] out = new float[bytes.length / 2];
            for (int i = 0; i < out.length; i++) out[i] = bb.getShort() / 32768f;
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while decoding audio", e);
        } finally {
            p.destroyForcibly();
        }
    }

    private void checkDuration(long samples) throws UndecodableAudioException {
        if (samples > maxDuration.toSeconds() * SAMPLE_RATE) {
            throw new UndecodableAudioException("audio longer than the limit of " + maxDuration.toSeconds() + " s");
        }
    }

    private static void copyQuietly(InputStream in, ByteArrayOutputStream out, long max) {
        byte[] buf = new byte[64 * 1024];
        try (in) {
            int n;
            while ((n = in.read(buf)) > 0) {
                if (out.size() < max) out.write(buf, 0, (int) Math.min(n, max - out.size()));
            }
        } catch (IOException ignored) {
            // the process ended or was killed; the exit code says what happened
        }
    }
}
