package org.streamasr.media.resample;

/**
 * The inner loops of integer up-sampling: {@code y[i] = sum_j c[j] x[start + i + j]} for a block of outputs.
 *
 * <p>Why this shape: C2 (JDK 17) does not vectorise a tap-by-tap pass over a block here, because the input is read at
 * an offset its alias analysis cannot compare with the output's, and a plain dot product per output is bound by two
 * loads per multiply-add. Keeping eight outputs' sums in registers and sliding the input window through registers
 * needs one input and one coefficient load per eight multiply-adds ({@link Math#fma}, one rounding each), so the
 * floating-point units, not the loads, set the pace. A symmetric row (the middle phase of an even factor: the
 * half-band filter's only computed phase) adds the two inputs that share a coefficient first, which halves the
 * multiply-adds. Each output's sum runs in the same order whatever the block, so results never depend on chunking.
 */
final class FirKernel {
    private FirKernel() {
    }

    /** Whether {@code c[j] == c[c.length - 1 - j]} for every {@code j} (and the length is even). */
    static boolean isSymmetric(float[] c) {
        if ((c.length & 1) != 0) return false;
        for (int j = 0; j < c.length / 2; j++) {
            if (c[j] != c[c.length - 1 - j]) return false;
        }
        return true;
    }

    /** {@code y[i] = sum_j c[j] x[start + i + j]}, {@code 0 <= i < n}. */
    static void correlate(float[] c, float[] x, int start, float[] y, int n) {
        int taps = c.length;
        int i = 0;
        for (; i + 8 <= n; i += 8) {
            int s = start + i;
            float x0 = x[s];
            float x1 = x[s + 1];
            float x2 = x[s + 2];
            float x3 = x[s + 3];
            float x4 = x[s + 4];
            float x5 = x[s + 5];
            float x6 = x[s + 6];
            float a0 = 0;
            float a1 = 0;
            float a2 = 0;
            float a3 = 0;
            float a4 = 0;
            float a5 = 0;
            float a6 = 0;
            float a7 = 0;
            for (int j = 0; j < taps; j++) {
                float k = c[j];
                float x7 = x[s + j + 7];
                a0 = Math.fma(k, x0, a0);
                a1 = Math.fma(k, x1, a1);
                a2 = Math.fma(k, x2, a2);
                a3 = Math.fma(k, x3, a3);
                a4 = Math.fma(k, x4, a4);
                a5 = Math.fma(k, x5, a5);
                a6 = Math.fma(k, x6, a6);
                a7 = Math.fma(k, x7, a7);
                x0 = x1;
                x1 = x2;
                x2 = x3;
                x3 = x4;
                x4 = x5;
                x5 = x6;
                x6 = x7;
            }
            y[i] = a0;
            y[i + 1] = a1;
            y[i + 2] = a2;
            y[i + 3] = a3;
            y[i + 4] = a4;
            y[i + 5] = a5;
            y[i + 6] = a6;
            y[i + 7] = a7;
        }
        for (; i < n; i++) {
            int s = start + i;
            float a = 0;
            for (int j = 0; j < taps; j++) a = Math.fma(c[j], x[s + j], a);
            y[i] = a;
        }
    }

    /**
     * As {@link #correlate} for a symmetric row ({@link #isSymmetric}): {@code sum_j<T/2 c[j] (x[s+j] + x[s+T-1-j])},
     * four outputs at a time with a forward and a backward window in registers.
     */
    static void correlateSymmetric(float[] c, float[] x, int start, float[] y, int n) {
        int taps = c.length;
        int halfTaps = taps / 2;
        int i = 0;
        for (; i + 4 <= n; i += 4) {
            int s = start + i;
            int e = s + taps - 1;
            // output i+m at tap j reads x[s+m+j] (forward) and x[e+m-j] (backward)
            float f0 = x[s];
            float f1 = x[s + 1];
            float f2 = x[s + 2];
            float b0 = x[e];
            float b1 = x[e + 1];
            float b2 = x[e + 2];
            float b3 = x[e + 3];
            float a0 = 0;
            float a1 = 0;
            float a2 = 0;
            float a3 = 0;
            for (int j = 0; j < halfTaps; j++) {
                float k = c[j];
                float f3 = x[s + j + 3];
                a0 = Math.fma(k, f0 + b0, a0);
                a1 = Math.fma(k, f1 + b1, a1);
                a2 = Math.fma(k, f2 + b2, a2);
                a3 = Math.fma(k, f3 + b3, a3);
                f0 = f1;
                f1 = f2;
                f2 = f3;
                b3 = b2;
                b2 = b1;
                b1 = b0;
                b0 = x[e - j - 1];
            }
            y[i] = a0;
            y[i + 1] = a1;
            y[i + 2] = a2;
            y[i + 3] = a3;
        }
        for (; i < n; i++) {
            int s = start + i;
            int e = s + taps - 1;
            float a = 0;
            for (int j = 0; j < halfTaps; j++) a = Math.fma(c[j], x[s + j] + x[e - j], a);
            y[i] = a;
        }
    }
}
