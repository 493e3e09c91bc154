package org.streamasr.audio;

import java.io.IOException;
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
     * Decodes {@code input} to raw 16 kHz mono signed 16-bit little-endian samples in {@code pcmOut} (overwritten),
     * without holding the audio in memory; for long inputs fed to an engine piece by piece.
     *
     * @return the number of samples written
     */
    public long decodeToPcmFile(Path input, Path pcmOut) throws UndecodableAudioException, IOException {
        if (!Files.isRegularFile(input)) throw new IOException(input + ": no such file");
        if (Files.size(input) < 64L * 1024 * 1024) {
            WavFile wav = plainWav(Files.readAllBytes(input));
            if (wav != null) {
                ByteBuffer out = ByteBuffer.allocate(wav.samples().length * 2).order(ByteOrder.LITTLE_ENDIAN);
                for (short s : wav.samples()) out.putShort(s);
                Files.write(pcmOut, out.array());
                return wav.samples().length;
            }
        }
        // stderr goes to a file, not a pipe: no reader thread per decode, and a chatty ffmpeg can never block on it
        Path errLog = Files.createTempFile(pcmOut.toAbsolutePath().getParent(), "ffmpeg-", ".log");
        List<String> cmd = List.of(ffmpeg, "-nostdin", "-hide_banner", "-loglevel", "error",
                "-protocol_whitelist", "file", "-format_whitelist", INPUT_FORMATS, "-i", input.toString(),
                "-t", Long.toString(maxDuration.toSeconds() + 1), "-vn", "-ac", "1", "-ar", Integer.toString(SAMPLE_RATE),
                "-f", "s16le", "-y", pcmOut.toString());
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(errLog.toFile()).start();
        } catch (IOException e) {
            Files.deleteIfExists(errLog);
            throw new IOException("cannot run ffmpeg ('" + ffmpeg + "'): install the Debian package ffmpeg", e);
        }
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new UndecodableAudioException("decoding took longer than " + timeout.toSeconds() + " s");
            }
            if (p.exitValue() != 0) {
                String msg = readTail(errLog).strip();
                String last = msg.isEmpty() ? "ffmpeg exit code " + p.exitValue() : msg.lines().reduce((a, b) -> b).orElse(msg);
                throw new UndecodableAudioException("cannot decode audio: "
                        + last.replace(input.toString(), "input").replace(pcmOut.toString(), "output"));
            }
            long bytes = Files.exists(pcmOut) ? Files.size(pcmOut) : 0;
            if (bytes < 2) throw new UndecodableAudioException("cannot decode audio: no audio stream in the input");
            checkDuration(bytes / 2);
            return bytes / 2;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while decoding audio");
        } finally {
            p.destroyForcibly();
            Files.deleteIfExists(errLog);
        }
    }

    private float[] runFfmpeg(Path input) throws UndecodableAudioException, IOException {
        Path pcm = Files.createTempFile("asr-decode-", ".pcm");
        try {
            long samples = decodeToPcmFile(input, pcm);
            ByteBuffer bb = ByteBuffer.wrap(Files.readAllBytes(pcm)).order(ByteOrder.LITTLE_ENDIAN);
            float[] out = new float[(int) samples];
            for (int i = 0; i < out.length; i++) out[i] = bb.getShort() / 32768f;
            return out;
        } finally {
            Files.deleteIfExists(pcm);
        }
    }

    private static String readTail(Path log) throws IOException {
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
        if (samples > maxDuration.toSeconds() * SAMPLE_RATE) {
            throw new AudioTooLongException("audio longer than the limit of " + maxDuration.toSeconds() + " s");
        }
    }
}
