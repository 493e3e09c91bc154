package org.streamasr.media.resample;

import java.util.Arrays;

/**
 * Converts one stream's audio between rates, chunk by chunk, keeping the filter history between chunks so that
 * chunk boundaries leave no trace (never resample 20 ms pieces independently). One instance per stream, one thread;
 * the coefficients come from a shared {@link ResamplerDesign}.
 *
 * <p>Output is aligned with input: output sample {@code n} is the signal at input time {@code n * in / out}. The
 * filter needs {@code taps/2} input samples of look-ahead, so a chunk's last outputs appear with the next chunk, and
 * {@link #flush} produces them at the end of the stream. After {@code N} input samples and a flush, exactly
 * {@code ceil(N * out / in)} samples have come out.
 */
public final class StreamingResampler {
    private final ResamplerDesign d;
    private final boolean passthrough;
    /** Inputs per block of {@link #upsample} (the block's sums stay in L1 cache). */
    private static final int UPSAMPLE_BLOCK = 256;

    private final int half;
    /** Integer up-sampling: one phase's outputs for a block of inputs. */
    private final float[] block;
    /** Integer up-sampling: which phases have a symmetric row (the middle one of an even factor). */
    private final boolean[] symmetricPhase;
    /** Input history; {@code buf[i]} is input sample {@code base + i}. */
    private float[] buf;
    private long base;
    private int count;
    /** Index of the next output sample. */
    private long nextOut;
    private long inputTotal;
    private boolean flushed;

    private StreamingResampler(ResamplerDesign design, boolean passthrough) {
        this.d = design;
        this.passthrough = passthrough;
        this.half = design == null ? 0 : design.taps / 2;
        boolean up = design != null && design.integerUp;
        this.block = up ? new float[UPSAMPLE_BLOCK] : null;
        this.symmetricPhase = new boolean[up ? design.phases : 0];
        for (int p = 1; p < symmetricPhase.length; p++) symmetricPhase[p] = FirKernel.isSymmetric(design.coeffs[p]);
        if (!passthrough) {
            // the samples before the stream's start are silence
            buf = new float[Math.max(4096, design.taps * 4)];
            base = -design.taps;
            count = design.taps;
        }
    }

    /** A resampler from {@code inRate} to {@code outRate}; a pass-through copy when they are equal. */
    public static StreamingResampler create(int inRate, int outRate) {
        if (inRate == outRate) return new StreamingResampler(null, true);
        return new StreamingResampler(ResamplerDesign.of(inRate, outRate), false);
    }

    /** The design in use, or {@code null} for a pass-through. */
    public ResamplerDesign design() {
        return d;
    }

    public boolean isPassthrough() {
        return passthrough;
    }

    /** An upper bound on the samples one {@code process} (or {@link #flush}) call writes for {@code inputSamples}. */
    public int maxOutput(int inputSamples) {
        if (passthrough) return inputSamples;
        long pending = inputSamples + half + 1L;
        return (int) (pending * d.up / d.down + 2);
    }

    /** Converts {@code len} samples, writing the outputs now computable into {@code out} from index 0. */
    public int process(short[] in, int off, int len, short[] out) {
        if (passthrough) {
            System.arraycopy(in, off, out, 0, len);
            inputTotal += len;
            return len;
        }
        append(len);
        for (int i = 0; i < len; i++) buf[count + i] = in[off + i];
        count += len;
        inputTotal += len;
        return d.integerUp ? upsample(null, out, Long.MAX_VALUE) : emitShorts(out, Long.MAX_VALUE);
    }

    /** As {@link #process(short[], int, int, short[])}, on floats (any scale). */
    public int process(float[] in, int off, int len, float[] out) {
        if (passthrough) {
            System.arraycopy(in, off, out, 0, len);
            inputTotal += len;
            return len;
        }
        append(len);
        System.arraycopy(in, off, buf, count, len);
        count += len;
        inputTotal += len;
        return d.integerUp ? upsample(out, null, Long.MAX_VALUE) : emitFloats(out, Long.MAX_VALUE);
    }

    /** Ends the stream: writes the outputs still held back by the filter's look-ahead. Idempotent. */
    public int flush(short[] out) {
        if (passthrough || flushed) return 0;
        flushed = true;
        padForFlush();
        return d.integerUp ? upsample(null, out, finalOutputs()) : emitShorts(out, finalOutputs());
    }

    /** As {@link #flush(short[])}, on floats. */
    public int flush(float[] out) {
        if (passthrough || flushed) return 0;
        flushed = true;
        padForFlush();
        return d.integerUp ? upsample(out, null, finalOutputs()) : emitFloats(out, finalOutputs());
    }

    private void padForFlush() {
        append(half + 1);
        Arrays.fill(buf, count, count + half + 1, 0f);
        count += half + 1;
    }

    /** ceil(inputTotal * out / in): the outputs that fall inside the input's span. */
    private long finalOutputs() {
        return (inputTotal * d.up + d.down - 1) / d.down;
    }

    private int emitShorts(short[] out, long limit) {
        int written = 0;
        for (long n = nextOut; ; n++) {
            float v = outputAt(n, limit);
            if (Float.isNaN(v)) break;
            int r = Math.round(v);
            out[written++] = (short) Math.max(-32768, Math.min(32767, r));
        }
        return written;
    }

    private int emitFloats(float[] out, long limit) {
        int written = 0;
        for (long n = nextOut; ; n++) {
            float v = outputAt(n, limit);
            if (Float.isNaN(v)) break;
            out[written++] = v;
        }
        return written;
    }

    /**
     * Output {@code n} if its input window is complete (and {@code n} is under the limit given by the flush), and
     * advances {@link #nextOut}; NaN otherwise.
     */
    private float outputAt(long n, long limit) {
        if (n >= limit) return Float.NaN;
        long p = n * d.down;
        long whole = Math.floorDiv(p, d.up);
        long num = p - whole * d.up;
        long last = whole + half;
        if (last >= base + count) return Float.NaN;
        int start = (int) (whole - half + 1 - base);
        float v;
        if (d.exact) {
            v = dot(d.coeffs[(int) num], start);
        } else {
            double pos = (double) num * d.phases / d.up;
            int row = (int) pos;
            float frac = (float) (pos - row);
            float a = dot(d.coeffs[row], start);
            float b = dot(d.coeffs[row + 1], start);
            v = a + frac * (b - a);
        }
        nextOut = n + 1;
        return v;
    }

    private float dot(float[] c, int start) {
        float[] x = buf;
        float s0 = 0;
        float s1 = 0;
        float s2 = 0;
        float s3 = 0;
        int j = 0;
        int n = c.length;
        for (; j + 3 < n; j += 4) {
            s0 += c[j] * x[start + j];
            s1 += c[j + 1] * x[start + j + 1];
            s2 += c[j + 2] * x[start + j + 2];
            s3 += c[j + 3] * x[start + j + 3];
        }
        for (; j < n; j++) s0 += c[j] * x[start + j];
        return (s0 + s1) + (s2 + s3);
    }

    /**
     * Integer up-sampling by {@code L}: every input sample {@code k} whose window is complete gives outputs
     * {@code kL .. kL+L-1}. Phase 0 is {@code x[k]} itself (the L-th-band filter's zeros); each other phase runs over a
     * block of inputs ({@link FirKernel}) and is written out at stride
     * {@code L} into exactly one of {@code floats} and {@code shorts}. Each output's sum runs in the same order
     * whatever the block, so chunking still leaves no trace.
     */
    private int upsample(float[] floats, short[] shorts, long limit) {
        int L = (int) d.up;
        long first = nextOut / L; // nextOut stays a multiple of L on this path
        long end = Math.min(base + count - half, limit / L); // input k needs x[k + half]
        int written = 0;
        for (long k = first; k < end; k += UPSAMPLE_BLOCK) {
            int n = (int) Math.min(UPSAMPLE_BLOCK, end - k);
            int centre = (int) (k - base);
            for (int p = 0; p < L; p++) {
                float[] y = buf;
                int from = centre;
                if (p > 0) {
                    if (symmetricPhase[p]) {
                        FirKernel.correlateSymmetric(d.coeffs[p], buf, centre - half + 1, block, n);
                    } else {
                        FirKernel.correlate(d.coeffs[p], buf, centre - half + 1, block, n);
                    }
                    y = block;
                    from = 0;
                }
                int at = written + p;
                if (floats != null) {
                    for (int i = 0; i < n; i++) floats[at + i * L] = y[from + i];
                } else {
                    for (int i = 0; i < n; i++) {
                        // clip, then round half up (as Math.round, which C2 does not inline on JDK 17)
                        float v = Math.max(-32768f, Math.min(32767f, y[from + i]));
                        shorts[at + i * L] = (short) Math.floor(v + 0.5f);
                    }
                }
            }
            written += n * L;
        }
        if (end > first) nextOut = end * L;
        return written;
    }

    /** Makes room for {@code len} more input samples, first dropping history the next output no longer needs. */
    private void append(int len) {
        if (count + len <= buf.length) return;
        long whole = Math.floorDiv(nextOut * d.down, d.up);
        int drop = (int) Math.min(count, Math.max(0, whole - half + 1 - base));
        System.arraycopy(buf, drop, buf, 0, count - drop);
        count -= drop;
        base += drop;
        if (count + len > buf.length) buf = Arrays.copyOf(buf, Math.max(buf.length * 2, count + len));
    }
}
