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
    private final int half;
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
        return emitShorts(out, Long.MAX_VALUE);
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
        return emitFloats(out, Long.MAX_VALUE);
    }

    /** Ends the stream: writes the outputs still held back by the filter's look-ahead. Idempotent. */
    public int flush(short[] out) {
        if (passthrough || flushed) return 0;
        flushed = true;
        padForFlush();
        return emitShorts(out, finalOutputs());
    }

    /** As {@link #flush(short[])}, on floats. */
    public int flush(float[] out) {
        if (passthrough || flushed) return 0;
        flushed = true;
        padForFlush();
        return emitFloats(out, finalOutputs());
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
