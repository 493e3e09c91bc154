package org.streamasr.engine.features;

/**
 * Power spectrum of a real signal of power-of-two length N: one complex FFT of length N/2 over the even/odd samples
 * packed as real/imaginary parts, then the split step that separates the two half spectra. Tables are precomputed;
 * {@link #powerSpectrum} allocates nothing, so one instance serves one thread (one stream) at a time.
 */
final class RealFft {
    private final int n;
    private final int half;
    private final int[] bitReverse;
    private final double[] cosHalf;   // twiddles of the N/2-point FFT: cos(2*pi*k/(N/2)), k < N/4
    private final double[] sinHalf;
    private final double[] cosSplit;  // split twiddles: cos(2*pi*k/N), k <= N/2
    private final double[] sinSplit;
    private final double[] re;
    private final double[] im;

    RealFft(int n) {
        if (n < 4 || Integer.bitCount(n) != 1) throw new IllegalArgumentException("FFT length must be a power of two >= 4: " + n);
        this.n = n;
        this.half = n / 2;
        int bits = Integer.numberOfTrailingZeros(half);
        bitReverse = new int[half];
        for (int i = 0; i < half; i++) bitReverse[i] = Integer.reverse(i) >>> (32 - bits);
        cosHalf = new double[half / 2];
        sinHalf = new double[half / 2];
        for (int k = 0; k < half / 2; k++) {
            cosHalf[k] = Math.cos(2 * Math.PI * k / half);
            sinHalf[k] = Math.sin(2 * Math.PI * k / half);
        }
        cosSplit = new double[half + 1];
        sinSplit = new double[half + 1];
        for (int k = 0; k <= half; k++) {
            cosSplit[k] = Math.cos(2 * Math.PI * k / n);
            sinSplit[k] = Math.sin(2 * Math.PI * k / n);
        }
        re = new double[half];
        im = new double[half];
    }

    int size() {
        return n;
    }

    /** Writes |X[k]|^2 for k = 0..N/2 of the real input {@code x[0..N)} into {@code power[0..N/2]}. */
    void powerSpectrum(double[] x, double[] power) {
        for (int i = 0; i < half; i++) {
            int j = bitReverse[i];
            re[j] = x[2 * i];
            im[j] = x[2 * i + 1];
        }
        complexFftInPlace();
        // Z = FFT(even + i*odd). E[k] = (Z[k] + conj Z[M-k]) / 2, O[k] = (Z[k] - conj Z[M-k]) / 2i,
        // X[k] = E[k] + exp(-2*pi*i*k/N) O[k], for k = 0..M (Z[M] = Z[0]).
        for (int k = 0; k <= half; k++) {
            int a = k % half;
            int b = (half - k) % half;
            double zr = re[a], zi = im[a], cr = re[b], ci = -im[b];
            double er = 0.5 * (zr + cr), ei = 0.5 * (zi + ci);
            double dr = zr - cr, di = zi - ci;
            double or = 0.5 * di, oi = -0.5 * dr;  // (dr + i di) / 2i
            double wr = cosSplit[k], wi = -sinSplit[k];
            double xr = er + (wr * or - wi * oi);
            double xi = ei + (wr * oi + wi * or);
            power[k] = xr * xr + xi * xi;
        }
    }

    /** Iterative radix-2 decimation in time over re/im, already in bit-reversed order; forward sign (e^{-i...}). */
    private void complexFftInPlace() {
        for (int size = 2; size <= half; size <<= 1) {
            int halfSize = size >>> 1;
            int step = half / size;
            for (int start = 0; start < half; start += size) {
                for (int j = 0; j < halfSize; j++) {
                    double wr = cosHalf[j * step], wi = -sinHalf[j * step];
                    int p = start + j, q = p + halfSize;
                    double tr = wr * re[q] - wi * im[q];
                    double ti = wr * im[q] + wi * re[q];
                    re[q] = re[p] - tr;
                    im[q] = im[p] - ti;
                    re[p] += tr;
                    im[p] += ti;
                }
            }
        }
    }
}
