package org.streamasr.audio;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * An ffmpeg child process decoding one file to 16 kHz mono s16le on its stdout, read by the caller as it comes. The
 * decoder is stopped as soon as the samples read pass the duration limit (nothing past the limit is decoded, and
 * nothing is written to disk), and killed when it keeps the reader waiting longer than the decode timeout (time
 * the reader spends elsewhere, feeding an engine, does not count). Stderr goes to a small file, so ffmpeg can never
 * block on it.
 */
final class FfmpegAudioStream implements DecodedAudioStream {
    private static final long WATCHDOG_PERIOD_MILLIS = 1000;

    private final Process process;
    private final InputStream pcm;
    private final Path errLog;
    private final Path input;
    private final long maxSamples;
    private final long maxSeconds;
    private final long timeoutNanos;
    private final long stated;
    private final byte[] buf = new byte[32 * 1024];
    private int carry = -1;
    private long samplesRead;
    private volatile long waitingSince;
    private volatile boolean timedOut;
    private volatile boolean closed;

    private FfmpegAudioStream(Process process, Path errLog, Path input, Duration maxDuration, Duration timeout, long stated) {
        this.process = process;
        this.pcm = new BufferedInputStream(process.getInputStream(), 64 * 1024);
        this.errLog = errLog;
        this.input = input;
        this.maxSeconds = maxDuration.toSeconds();
        this.maxSamples = maxSeconds * AudioFileDecoder.SAMPLE_RATE;
        this.timeoutNanos = timeout.toNanos();
        this.stated = stated;
    }

    static FfmpegAudioStream start(String ffmpeg, Path input, Duration maxDuration, Duration timeout, long stated)
            throws IOException {
        Path errLog = Files.createTempFile(input.toAbsolutePath().getParent(), "ffmpeg-", ".log");
        // -t: ffmpeg itself stops one second past the limit should the reader not stop it first
        List<String> cmd = List.of(ffmpeg, "-nostdin", "-hide_banner", "-loglevel", "error",
                "-protocol_whitelist", "file", "-format_whitelist", AudioFileDecoder.INPUT_FORMATS,
                "-i", input.toString(), "-t", Long.toString(maxDuration.toSeconds() + 1), "-vn", "-ac", "1",
                "-ar", Integer.toString(AudioFileDecoder.SAMPLE_RATE), "-f", "s16le", "pipe:1");
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(nullFile()))
                    .redirectError(errLog.toFile()).start();
        } catch (IOException e) {
            Files.deleteIfExists(errLog);
            throw new IOException("cannot run ffmpeg ('" + ffmpeg + "'): install the Debian package ffmpeg", e);
        }
        FfmpegAudioStream s = new FfmpegAudioStream(p, errLog, input, maxDuration, timeout, stated);
        s.armWatchdog();
        return s;
    }

    private static java.io.File nullFile() {
        return new java.io.File("/dev/null");
    }

    @Override
    public int read(float[] out, int offset, int length) throws IOException, UndecodableAudioException {
        if (closed) throw new IOException("decoding was stopped");
        int want = Math.min(length * 2, buf.length);
        int have = 0;
        if (carry >= 0) {
            buf[0] = (byte) carry;
            carry = -1;
            have = 1;
        }
        waitingSince = System.nanoTime();
        int n;
        try {
            n = pcm.read(buf, have, want - have);
        } catch (IOException e) {
            if (timedOut) throw timeout();
            if (closed) throw new IOException("decoding was stopped");
            throw e;
        } finally {
            waitingSince = 0;
        }
        if (timedOut) throw timeout();
        if (n < 0) {
            if (have > 0) throw new UndecodableAudioException("cannot decode audio: odd number of output bytes");
            finishOrFail();
            return -1;
        }
        have += n;
        int samples = have / 2;
        if (have % 2 == 1) carry = buf[have - 1] & 0xff;
        for (int i = 0; i < samples; i++) {
            out[offset + i] = (short) ((buf[2 * i] & 0xff) | (buf[2 * i + 1] << 8)) / 32768f;
        }
        samplesRead += samples;
        if (samplesRead > maxSamples) {
            close();
            throw new AudioTooLongException("audio longer than the limit of " + maxSeconds + " s");
        }
        return samples;
    }

    /** At the end of the output: ffmpeg's verdict. */
    private void finishOrFail() throws IOException, UndecodableAudioException {
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) throw timeout();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while decoding audio");
        }
        if (process.exitValue() != 0) {
            String msg = AudioFileDecoder.readTail(errLog).strip();
            String last = msg.isEmpty() ? "ffmpeg exit code " + process.exitValue()
                    : msg.lines().reduce((a, b) -> b).orElse(msg);
            throw new UndecodableAudioException("cannot decode audio: " + last.replace(input.toString(), "input"));
        }
        if (samplesRead == 0) throw new UndecodableAudioException("cannot decode audio: no audio stream in the input");
    }

    private UndecodableAudioException timeout() {
        return new UndecodableAudioException("decoding took longer than " + TimeUnit.NANOSECONDS.toSeconds(timeoutNanos) + " s");
    }

    /** Kills ffmpeg when the reader has been waiting on it for longer than the timeout. */
    private void armWatchdog() {
        CompletableFuture.runAsync(() -> {
            if (closed || !process.isAlive() && waitingSince == 0) return;
            long since = waitingSince;
            if (since != 0 && System.nanoTime() - since > timeoutNanos) {
                timedOut = true;
                process.destroyForcibly();
                return;
            }
            armWatchdog();
        }, CompletableFuture.delayedExecutor(WATCHDOG_PERIOD_MILLIS, TimeUnit.MILLISECONDS));
    }

    @Override
    public long statedSamples() {
        return stated;
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        process.destroyForcibly();
        try {
            pcm.close();
            Files.deleteIfExists(errLog);
        } catch (IOException ignored) {
            // the temp directory is emptied at the next start
        }
    }
}
