package org.streamasr.testing;

/** Signal measures for tests: alignment by cross-correlation, SNR after alignment, correlation, energy. */
public final class SignalMetrics {
    private SignalMetrics() {
    }

    /** Result of aligning a processed signal with its reference. */
    public record Alignment(int lag, double correlation, double snrDb, int overlap) {
        @Override
        public String toString() {
            return String.format("lag %d samples, correlation %.4f, SNR %.2f dB over %d samples", lag, correlation, snrDb,
                    overlap);
        }
    }

    /**
     * Finds the lag in [-maxLag, maxLag] at which {@code test[i + lag]} best matches {@code ref[i]} (coarse search on
     * a 4x decimated copy, then refined), and reports the normalised correlation and the SNR (with the
     * least-squares gain) over the overlap.
     */
    public static Alignment align(short[] ref, short[] test, int maxLag) {
        double[] r = toDouble(ref);
        double[] t = toDouble(test);
        int coarse = bestLag(decimate(r, 4), decimate(t, 4), maxLag / 4 + 1, 0) * 4;
        int lag = bestLag(r, t, 8, coarse);
        return measure(r, t, lag);
    }

    /** Correlation and SNR of {@code test[i + lag]} against {@code ref[i]}. */
    public static Alignment measure(double[] ref, double[] test, int lag) {
        int start = Math.max(0, -lag);
        int end = Math.min(ref.length, test.length - lag);
        double rr = 0;
        double tt = 0;
        double rt = 0;
        for (int i = start; i < end; i++) {
            double a = ref[i];
            double b = test[i + lag];
            rr += a * a;
            tt += b * b;
            rt += a * b;
        }
        double corr = rt / Math.sqrt(rr * tt + 1e-30);
        double gain = rt / (tt + 1e-30);
        double err = 0;
        for (int i = start; i < end; i++) {
            double e = ref[i] - gain * test[i + lag];
            err += e * e;
        }
        return new Alignment(lag, corr, 10 * Math.log10(rr / (err + 1e-30)), Math.max(0, end - start));
    }

    /** SNR of {@code test} against {@code ref} sample by sample over [from, to), no gain fitting. */
    public static double snrDb(double[] ref, double[] test, int from, int to) {
        double s = 0;
        double n = 0;
        for (int i = from; i < to; i++) {
            s += ref[i] * ref[i];
            double e = ref[i] - test[i];
            n += e * e;
        }
        return 10 * Math.log10(s / (n + 1e-30));
    }

    public static double rms(double[] x, int from, int to) {
        double s = 0;
        for (int i = from; i < to; i++) s += x[i] * x[i];
        return Math.sqrt(s / Math.max(1, to - from));
    }

    public static double rms(short[] x) {
        return rms(toDouble(x), 0, x.length);
    }

    public static double[] toDouble(short[] x) {
        double[] d = new double[x.length];
        for (int i = 0; i < x.length; i++) d[i] = x[i];
        return d;
    }

    public static double[] toDouble(float[] x) {
        double[] d = new double[x.length];
        for (int i = 0; i < x.length; i++) d[i] = x[i];
        return d;
    }

    private static int bestLag(double[] r, double[] t, int range, int center) {
        double best = Double.NEGATIVE_INFINITY;
        int bestLag = center;
        for (int lag = center - range; lag <= center + range; lag++) {
            int start = Math.max(0, -lag);
            int end = Math.min(r.length, t.length - lag);
            if (end - start < 16) continue;
            double rt = 0;
            double tt = 0;
            for (int i = start; i < end; i++) {
                double b = t[i + lag];
                rt += r[i] * b;
                tt += b * b;
            }
            double score = rt / Math.sqrt(tt + 1e-30);
            if (score > best) {
                best = score;
                bestLag = lag;
            }
        }
        return bestLag;
    }

    private static double[] decimate(double[] x, int factor) {
        double[] out = new double[x.length / factor];
        for (int i = 0; i < out.length; i++) {
            double s = 0;
            for (int k = 0; k < factor; k++) s += x[i * factor + k];
            out[i] = s / factor;
        }
        return out;
    }
}
