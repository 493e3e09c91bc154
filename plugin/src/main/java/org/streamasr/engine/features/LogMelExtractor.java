package org.streamasr.engine.features;

import java.util.Arrays;

/**
 * NeMo log-mel front end, streamed: per stream; features of a stream cut at arbitrary points equal one pass.
 *
 * <p>Reproduces NeMo's {@code FilterbankFeatures.forward} at inference (the Nemotron preprocessor config: 16 kHz,
 * 25 ms Hann window, 10 ms hop, n_fft 512, 128 mels, {@code normalize: NA}), not kaldi/knf fbank:
 * <ol>
 *   <li>no dither (NeMo dithers only in training);</li>
 *   <li>pre-emphasis {@code y[n] = x[n] - 0.97 x[n-1]}, {@code y[0] = x[0]}, carried across {@link #accept} calls;</li>
 *   <li>{@code torch.stft(n_fft=512, hop=160, win_length=400, window=hann_window(400, periodic=False), center=True,
 *       pad_mode="constant")}: the symmetric window sits in the middle of the 512-point frame (56 zeros each side),
 *       frame {@code t} is centred on sample {@code 160 t}, and the signal is zero-padded (after pre-emphasis) at
 *       both ends, so frame {@code t} reads pre-emphasised samples {@code [160t - 200, 160t + 200)} only;</li>
 *   <li>power spectrum {@code re^2 + im^2} over 257 bins, Slaney mel filters (see {@link MelFilterBank}),
 *       {@code ln(mel + 2^-24)}, no normalisation.</li>
 * </ol>
 *
 * <p>Frame count. Current NeMo ({@code NVIDIA-NeMo/Speech} and {@code NVIDIA/NeMo} main, features.py
 * {@code get_seq_len}): {@code pad_amount = n_fft // 2 * 2} when {@code exact_pad} is off, and
 * {@code seq_len = floor_divide(L + pad_amount - n_fft, hop)}, i.e. {@code floor(L / 160)} valid frames for L
 * samples. {@code torch.stft} itself returns {@code L / 160 + 1} frames; the extra last one is masked to
 * {@code pad_value} (0.0), so it is not a feature and we never emit it. (NeMo releases before 2023 added {@code + 1}
 * to that formula; the Nemotron checkpoints were trained and exported with the current code.) A valid frame's window
 * may reach past the end of the signal (the last one by up to 40 samples); those samples are the constant zero
 * padding.
 *
 * <p>Streaming. Frame {@code t} depends only on samples below {@code 160 t + 200}, so it becomes available as soon as
 * they are in, and its value is then final: identical to the whole-signal pass whatever the cut points. After
 * {@link #finish()} the remaining frames up to {@code floor(L / 160)} are completed with the zero padding.
 * Arithmetic is in double precision (NeMo uses float32; the difference is far below the model's sensitivity and keeps
 * us within 1e-5 of a double-precision reference); frames are delivered as float32.
 *
 * <p>Not thread-safe: one instance per stream, used by one thread at a time. The hot path allocates nothing; the
 * sample buffer only grows when a caller lets more than its capacity of audio pile up unpolled.
 */
public final class LogMelExtractor {
    public static final int N_MELS = 128;
    public static final int SAMPLE_RATE = 16_000;
    public static final int HOP = 160;
    public static final int WINDOW = 400;
    public static final int N_FFT = 512;
    public static final double PREEMPHASIS = 0.97;
    /** NeMo's {@code log_zero_guard_value} (type "add"). */
    public static final double LOG_GUARD = 0x1p-24;

    private static final int HALF_WINDOW = WINDOW / 2;
    private static final int WINDOW_OFFSET = (N_FFT - WINDOW) / 2;
    private static final double[] HANN = symmetricHann(WINDOW);
    private static final MelFilterBank MELS = new MelFilterBank(SAMPLE_RATE, N_FFT, N_MELS, 0, SAMPLE_RATE / 2.0);

    private final RealFft fft = new RealFft(N_FFT);
    private final double[] frame = new double[N_FFT];
    private final double[] power = new double[N_FFT / 2 + 1];

    /** Pre-emphasised samples; {@code buf[0]} is sample {@code bufStart} of the stream. */
    private double[] buf = new double[4096];
    private long bufStart;
    private int bufLen;
    private float lastSample;
    private long received;
    private long polled;
    private boolean finished;

    public LogMelExtractor() {
    }

    /** Appends 16 kHz samples in [-1, 1]. */
    public void accept(float[] samples, int offset, int length) {
        if (finished) throw new IllegalStateException("accept after finish(); call reset() to start a new signal");
        java.util.Objects.checkFromIndexSize(offset, length, samples.length);
        if (length == 0) return;
        makeRoom(length);
        float prev = lastSample;
        int at = bufLen;
        for (int i = 0; i < length; i++) {
            float x = samples[offset + i];
            // y[0] = x[0]: with prev = 0 for the first sample the formula gives exactly that
            buf[at + i] = x - PREEMPHASIS * prev;
            prev = x;
        }
        lastSample = prev;
        bufLen += length;
        received += length;
    }

    /** End of signal: makes the remaining valid frames (up to {@code floor(L / 160)}) available. Idempotent. */
    public void finish() {
        finished = true;
    }

    /** Starts a new signal (as if freshly constructed), keeping the buffers. */
    public void reset() {
        bufStart = 0;
        bufLen = 0;
        lastSample = 0;
        received = 0;
        polled = 0;
        finished = false;
    }

    public int framesAvailable() {
        return (int) (readyFrames() - polled);
    }

    /**
     * Moves up to {@code maxFrames} frames into {@code dst} at {@code dstOffset}, row-major {@code [frame][128]}.
     *
     * @return the number of frames written
     */
    public int poll(float[] dst, int dstOffset, int maxFrames) {
        int n = Math.min(Math.max(maxFrames, 0), framesAvailable());
        java.util.Objects.checkFromIndexSize(dstOffset, n * N_MELS, dst.length);
        for (int f = 0; f < n; f++) {
            computeFrame(polled, dst, dstOffset + f * N_MELS);
            polled++;
        }
        return n;
    }

    public long framesPolled() {
        return polled;
    }

    public long samplesAccepted() {
        return received;
    }

    public boolean isFinished() {
        return finished;
    }

    /** Valid frames for a signal of {@code samples} samples, as NeMo's {@code get_seq_len}: {@code floor(L / 160)}. */
    public static long frameCount(long samples) {
        return samples / HOP;
    }

    /** Samples needed before frame {@code t} is final while the signal is still open. */
    public static long samplesNeeded(long frame) {
        return frame * HOP + HALF_WINDOW;
    }

    private long readyFrames() {
        if (finished) return frameCount(received);
        return received >= HALF_WINDOW ? (received - HALF_WINDOW) / HOP + 1 : 0;
    }

    private void computeFrame(long t, float[] dst, int at) {
        long first = t * HOP - HALF_WINDOW;
        Arrays.fill(frame, 0.0);
        if (first >= bufStart && first + WINDOW <= received) {
            int base = (int) (first - bufStart);
            for (int j = 0; j < WINDOW; j++) frame[WINDOW_OFFSET + j] = buf[base + j] * HANN[j];
        } else {
            // touches the zero padding before the start or after the end of the signal
            for (int j = 0; j < WINDOW; j++) {
                long s = first + j;
                if (s >= bufStart && s < received) frame[WINDOW_OFFSET + j] = buf[(int) (s - bufStart)] * HANN[j];
            }
        }
        fft.powerSpectrum(frame, power);
        for (int m = 0; m < N_MELS; m++) dst[at + m] = (float) Math.log(MELS.apply(m, power) + LOG_GUARD);
    }

    /** Drops samples no future frame needs, then grows the buffer if {@code extra} more still do not fit. */
    private void makeRoom(int extra) {
        long keepFrom = Math.max(0, polled * HOP - HALF_WINDOW);
        int drop = (int) Math.min(bufLen, Math.max(0, keepFrom - bufStart));
        if (drop > 0 && bufLen + extra > buf.length) {
            System.arraycopy(buf, drop, buf, 0, bufLen - drop);
            bufLen -= drop;
            bufStart += drop;
        }
        if (bufLen + extra > buf.length) buf = Arrays.copyOf(buf, Math.max(buf.length * 2, bufLen + extra));
    }

    private static double[] symmetricHann(int n) {
        double[] w = new double[n];
        for (int i = 0; i < n; i++) w[i] = 0.5 - 0.5 * Math.cos(2 * Math.PI * i / (n - 1));
        return w;
    }
}
