package org.streamasr.media.resample;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.streamasr.testing.SignalMetrics;

class StreamingResamplerTest {

    static float[] tone(int rate, double hz, int samples, double amp) {
        float[] x = new float[samples];
        for (int i = 0; i < samples; i++) x[i] = (float) (amp * Math.sin(2 * Math.PI * hz * i / rate + 0.3));
        return x;
    }

    static float[] runAll(StreamingResampler r, float[] in, int chunk) {
        float[] out = new float[r.maxOutput(in.length) + r.maxOutput(0) + 16];
        float[] tmp = new float[r.maxOutput(Math.max(chunk, 1)) + 16];
        int pos = 0;
        for (int off = 0; off < in.length; off += chunk) {
            int len = Math.min(chunk, in.length - off);
            int n = r.process(in, off, len, tmp);
            System.arraycopy(tmp, 0, out, pos, n);
            pos += n;
        }
        float[] tail = new float[r.maxOutput(0) + 16];
        int n = r.flush(tail);
        System.arraycopy(tail, 0, out, pos, n);
        return Arrays.copyOf(out, pos + n);
    }

    @ParameterizedTest
    @ValueSource(ints = {8_000, 11_025, 22_050, 24_000, 32_000, 44_100, 48_000, 96_000, 44_099})
    void toneComesOutAlignedWithTheRightLengthAndHighSnr(int inRate) {
        int n = inRate; // one second
        double hz = 1234.5;
        float[] in = tone(inRate, hz, n, 10_000);
        StreamingResampler r = StreamingResampler.create(inRate, 16_000);
        float[] out = runAll(r, in, 160);
        long expected = ((long) n * 16_000 + inRate - 1) / inRate;
        assertEquals(expected, out.length, "ceil(N * out / in) samples");
        double[] ideal = SignalMetrics.toDouble(tone(16_000, hz, out.length, 10_000));
        int edge = 400;
        double snr = SignalMetrics.snrDb(ideal, SignalMetrics.toDouble(out), edge, out.length - edge);
        System.out.printf("resample %d -> 16000: %s; 1234.5 Hz tone SNR %.1f dB%n", inRate, r.design(), snr);
        assertTrue(snr > 85, "SNR " + snr);
    }

    @Test
    void chunkingLeavesNoTrace() {
        Random rnd = new Random(1);
        float[] in = new float[48_000];
        for (int i = 0; i < in.length; i++) in[i] = (float) (rnd.nextGaussian() * 3000);
        for (int rate : new int[] {8_000, 44_100, 48_000}) {
            float[] whole = runAll(StreamingResampler.create(rate, 16_000), in, in.length);
            float[] pieces = runAll(StreamingResampler.create(rate, 16_000), in, 37);
            assertArrayEquals(whole, pieces, 1e-3f, "rate " + rate);
            float[] varied = runVaried(StreamingResampler.create(rate, 16_000), in, rnd);
            assertArrayEquals(whole, varied, 1e-3f, "random chunks, rate " + rate);
        }
    }

    static float[] runVaried(StreamingResampler r, float[] in, Random rnd) {
        float[] out = new float[r.maxOutput(in.length) + r.maxOutput(0)];
        float[] tmp = new float[r.maxOutput(3000)];
        int pos = 0;
        for (int off = 0; off < in.length; ) {
            int len = Math.min(1 + rnd.nextInt(3000), in.length - off);
            int got = r.process(in, off, len, tmp);
            System.arraycopy(tmp, 0, out, pos, got);
            pos += got;
            off += len;
        }
        int got = r.flush(tmp);
        System.arraycopy(tmp, 0, out, pos, got);
        assertEquals(0, r.flush(tmp), "flush is idempotent");
        return Arrays.copyOf(out, pos + got);
    }

    @Test
    void impulseLandsWhereItShould() {
        // an impulse at input sample 4800 of a 48 kHz stream is output sample 1600 at 16 kHz
        float[] in = new float[9600];
        in[4800] = 30_000;
        float[] out = runAll(StreamingResampler.create(48_000, 16_000), in, 480);
        int peak = 0;
        for (int i = 1; i < out.length; i++) if (Math.abs(out[i]) > Math.abs(out[peak])) peak = i;
        assertEquals(1600, peak);
        // 8 kHz -> 16 kHz: sample 400 becomes 800
        in = new float[1600];
        in[400] = 30_000;
        out = runAll(StreamingResampler.create(8_000, 16_000), in, 160);
        peak = 0;
        for (int i = 1; i < out.length; i++) if (Math.abs(out[i]) > Math.abs(out[peak])) peak = i;
        assertEquals(800, peak);
    }

    @Test
    void shortsClipInsteadOfWrapping() {
        // a full-scale 1 kHz square wave: its band-limited interpolation overshoots full scale (Gibbs) between samples
        short[] in = new short[4800];
        for (int i = 0; i < in.length; i++) in[i] = (short) ((i / 4) % 2 == 0 ? 32767 : -32768);
        float[] inFloats = new float[in.length];
        for (int i = 0; i < in.length; i++) inFloats[i] = in[i];
        float[] ideal = runAll(StreamingResampler.create(8_000, 16_000), inFloats, 160);
        float over = 0;
        for (float v : ideal) over = Math.max(over, Math.abs(v));
        assertTrue(over > 33_000, "the float path overshoots full scale: " + over);
        StreamingResampler r = StreamingResampler.create(8_000, 16_000);
        short[] out = new short[r.maxOutput(in.length)];
        int n = r.process(in, 0, in.length, out);
        assertTrue(n > 9000);
        for (int i = 200; i < n - 200; i++) {
            float expected = Math.max(-32768f, Math.min(32767f, ideal[i]));
            assertEquals(expected, out[i], 1f, "sample " + i + " is the float output clipped, never wrapped");
        }
        assertFalse(r.isPassthrough());
        StreamingResampler same = StreamingResampler.create(16_000, 16_000);
        assertTrue(same.isPassthrough());
        assertEquals(5, same.process(new short[] {1, 2, 3, 4, 5}, 0, 5, new short[5]));
    }

    /**
     * Integer up-sampling uses an L-th-band filter: every L-th output is the input sample itself, untouched, and a
     * block of outputs is the same whether it was computed in one call or sample by sample.
     */
    @ParameterizedTest
    @ValueSource(ints = {8_000, 4_000, 2_000})
    void integerUpSamplingKeepsEveryInputSampleExactly(int inRate) {
        int factor = 16_000 / inRate;
        Random rnd = new Random(inRate);
        float[] in = new float[inRate];
        for (int i = 0; i < in.length; i++) in[i] = (float) (rnd.nextGaussian() * 3000);
        StreamingResampler r = StreamingResampler.create(inRate, 16_000);
        assertTrue(r.design().toString().startsWith("L-th-band"), r.design().toString());
        float[] out = runAll(r, in, 160);
        assertEquals(in.length * factor, out.length);
        for (int k = 0; k < in.length; k++) assertEquals(in[k], out[k * factor], 0f, "output " + k * factor);
        assertArrayEquals(out, runAll(StreamingResampler.create(inRate, 16_000), in, 1), 0f, "one sample at a time");
    }
}
