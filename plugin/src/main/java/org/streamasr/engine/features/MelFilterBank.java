package org.streamasr.engine.features;

/**
 * Triangular mel filters on the Slaney mel scale with Slaney area normalisation, the filters of
 * {@code librosa.filters.mel(sr, n_fft, n_mels, fmin, fmax, htk=False, norm="slaney")} that NeMo's
 * {@code FilterbankFeatures} uses. Stored sparsely (each filter's non-zero bins only): with 128 filters over 257 bins
 * a filter touches a handful of bins, so a dense 128 x 257 product would be mostly multiplications by zero.
 */
final class MelFilterBank {
    // Slaney's scale (librosa hz_to_mel, htk=False): linear below 1 kHz, logarithmic above.
    private static final double F_SP = 200.0 / 3;
    private static final double MIN_LOG_HZ = 1000.0;
    private static final double MIN_LOG_MEL = MIN_LOG_HZ / F_SP;
    private static final double LOG_STEP = Math.log(6.4) / 27.0;

    private final int[] firstBin;
    private final double[][] weights;

    MelFilterBank(int sampleRate, int nFft, int nMels, double fMin, double fMax) {
        int bins = nFft / 2 + 1;
        double[] fftFreqs = new double[bins];
        for (int k = 0; k < bins; k++) fftFreqs[k] = (double) k * sampleRate / nFft;
        double melMin = hzToMel(fMin), melMax = hzToMel(fMax);
        double[] edges = new double[nMels + 2];
        for (int i = 0; i < edges.length; i++) edges[i] = melToHz(melMin + (melMax - melMin) * i / (nMels + 1));
        firstBin = new int[nMels];
        weights = new double[nMels][];
        double[] dense = new double[bins];
        for (int m = 0; m < nMels; m++) {
            double lo = edges[m], centre = edges[m + 1], hi = edges[m + 2];
            double norm = 2.0 / (hi - lo);
            int first = -1, last = -1;
            for (int k = 0; k < bins; k++) {
                double rising = (fftFreqs[k] - lo) / (centre - lo);
                double falling = (hi - fftFreqs[k]) / (hi - centre);
                dense[k] = Math.max(0.0, Math.min(rising, falling)) * norm;
                if (dense[k] > 0) {
                    if (first < 0) first = k;
                    last = k;
                }
            }
            if (first < 0) {
                // librosa warns about empty filters for too many mels; they contribute nothing
                firstBin[m] = 0;
                weights[m] = new double[0];
            } else {
                firstBin[m] = first;
                weights[m] = java.util.Arrays.copyOfRange(dense, first, last + 1);
            }
        }
    }

    static double hzToMel(double hz) {
        return hz >= MIN_LOG_HZ ? MIN_LOG_MEL + Math.log(hz / MIN_LOG_HZ) / LOG_STEP : hz / F_SP;
    }

    static double melToHz(double mel) {
        return mel >= MIN_LOG_MEL ? MIN_LOG_HZ * Math.exp(LOG_STEP * (mel - MIN_LOG_MEL)) : F_SP * mel;
    }

    int size() {
        return weights.length;
    }

    /** Energy of filter {@code m} over the power spectrum. */
    double apply(int m, double[] power) {
        double[] w = weights[m];
        int k0 = firstBin[m];
        double sum = 0;
        for (int i = 0; i < w.length; i++) sum += w[i] * power[k0 + i];
        return sum;
    }

    /** Number of non-zero weights in all filters (for tests and sizing). */
    int nonZeroWeights() {
        int n = 0;
        for (double[] w : weights) n += w.length;
        return n;
    }
}
