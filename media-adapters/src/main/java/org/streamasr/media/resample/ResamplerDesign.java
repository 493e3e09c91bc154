package org.streamasr.media.resample;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The immutable filter bank of one rate conversion, shared by every stream with the same rates (the "model" half of
 * the resampler; {@link StreamingResampler} holds the per-stream state).
 *
 * <h2>Method</h2>
 * Band-limited interpolation with a Kaiser-windowed sinc, evaluated in polyphase form (Smith, "Digital Audio
 * Resampling"; the same family as libsamplerate's sinc converters and speexdsp). For input rate {@code fin} and
 * output rate {@code fout}, output sample {@code n} sits at input time {@code t = n * fin / fout}, an exact rational
 * kept as integers ({@code L = fout/g}, {@code M = fin/g}, {@code g = gcd}), so timing never drifts. Its value is
 * {@code sum_m x[m] * h(t - m)} over the {@link #taps()} input samples nearest {@code t}, where
 * {@code h(tau) = (2 fc / fin) sinc(2 fc tau / fin) kaiser(tau)}.
 *
 * <ul>
 *   <li>Cutoff {@code fc} lies mid-way between the pass-band edge ({@value #PASS_BAND} of the lower Nyquist rate)
 *       and the stop-band edge (the lower Nyquist rate itself), so nothing above the output's Nyquist frequency
 *       folds back into the pass band.</li>
 *   <li>Kaiser {@code beta} and length follow Kaiser's formulas for {@value #STOPBAND_DB} dB stop-band attenuation
 *       (beta = 0.1102 (A - 8.7); taps = (A - 7.95) fin / (14.36 * transition)), rounded up to an even number of
 *       taps. For 8 kHz to 16 kHz that is 162 taps per output sample; 48 kHz to 16 kHz, 482.</li>
 *   <li>One coefficient row per phase {@code n*M mod L} when the table stays under {@value #MAX_TABLE} floats (every
 *       common rate: 8, 11.025, 12, 22.05, 24, 32, 44.1, 48, 96 kHz); otherwise {@value #INTERPOLATED_PHASES} rows
 *       with linear interpolation between neighbouring rows (speexdsp's approach for awkward ratios).</li>
 * </ul>
 * Latency is {@code taps/2} input samples; {@link StreamingResampler} removes it, so output sample 0 is aligned
 * with input sample 0.
 *
 * <h2>Integer up-sampling (8 kHz telephone audio to 16 kHz)</h2>
 * When the output rate is a whole multiple {@code L} of the input rate, the filter is an L-th-band (for {@code L = 2}
 * half-band) Kaiser design instead: cutoff at the input's Nyquist frequency, transition band symmetric about it
 * ({@value #PASS_BAND} to {@code 2 - }{@value #PASS_BAND} of it, so every image of pass-band content lands in the
 * stop band), {@value #UPSAMPLING_STOPBAND_DB} dB. Its sinc has a zero at every whole input sample, so output phase 0
 * is the input sample itself (no arithmetic) and only phases 1..L-1 are computed, each from {@link #taps()} inputs:
 * 90 for 8 to 16 kHz, against 2 x 162 for the general design with a transition band below the Nyquist frequency
 * (Vaidyanathan, "Multirate Systems and Filter Banks", 4.6; sox and libsamplerate use half-band stages the same way).
 * The price: content at exactly the input's Nyquist frequency (4 kHz for telephone audio, which G.711's 300-3400 Hz
 * channel never carries) is kept rather than removed.
 */
public final class ResamplerDesign {
    static final double PASS_BAND = 0.92;
    static final double STOPBAND_DB = 100.0;
    /**
     * The L-th-band design's attenuation: the edge of its stop band is where the test's worst image (a 3.6 kHz tone's,
     * at 4.4 kHz) falls, so it gets 10 dB more than the general design to measure at least as well there.
     */
    static final double UPSAMPLING_STOPBAND_DB = 110.0;
    static final int MAX_TABLE = 1 << 20;
    static final int INTERPOLATED_PHASES = 512;

    private static final Map<Long, ResamplerDesign> CACHE = new ConcurrentHashMap<>();

    final int inRate;
    final int outRate;
    /** Output step in input time is {@code M / L} input samples. */
    final long up;
    final long down;
    final int taps;
    final int phases;
    final boolean exact;
    /** Output rate = {@code up} x input rate: phase 0 is the input itself, phases 1..up-1 are computed. */
    final boolean integerUp;
    /** {@code coeffs[phase][j]} multiplies {@code x[floor(t) - taps/2 + 1 + j]}; one extra row when interpolating. */
    final float[][] coeffs;
    private final double cutoffHz;

    private ResamplerDesign(int inRate, int outRate) {
        this.inRate = inRate;
        this.outRate = outRate;
        long g = gcd(inRate, outRate);
        this.up = outRate / g;
        this.down = inRate / g;
        double nyquist = Math.min(inRate, outRate) / 2.0;
        this.integerUp = down == 1 && up >= 2;
        double transition = (integerUp ? 2 : 1) * (1.0 - PASS_BAND) * nyquist;
        this.cutoffHz = integerUp ? nyquist : (1.0 + PASS_BAND) / 2.0 * nyquist;
        double stopbandDb = integerUp ? UPSAMPLING_STOPBAND_DB : STOPBAND_DB;
        int k = (int) Math.ceil((stopbandDb - 7.95) * inRate / (2.285 * 2 * Math.PI * transition));
        this.taps = k + (k & 1);
        this.exact = up * taps <= MAX_TABLE;
        this.phases = exact ? (int) up : INTERPOLATED_PHASES;
        double beta = 0.1102 * (stopbandDb - 8.7);
        double i0Beta = besselI0(beta);
        double half = taps / 2.0;
        double norm = 2.0 * cutoffHz / inRate;
        int rows = exact ? phases : phases + 1;
        this.coeffs = new float[rows][taps];
        for (int p = 0; p < rows; p++) {
            double frac = (double) p / phases;
            for (int j = 0; j < taps; j++) {
                double tau = frac + half - 1 - j;
                double r = tau / half;
                double w = Math.abs(r) >= 1 ? 0 : besselI0(beta * Math.sqrt(1 - r * r)) / i0Beta;
                coeffs[p][j] = (float) (norm * sinc(norm * tau) * w);
            }
        }
    }

    /** The shared design for a conversion (built once per rate pair). */
    public static ResamplerDesign of(int inRate, int outRate) {
        if (inRate < 1_000 || outRate < 1_000 || inRate > 768_000 || outRate > 768_000) {
            throw new IllegalArgumentException("resampling " + inRate + " Hz to " + outRate + " Hz is out of range");
        }
        return CACHE.computeIfAbsent(((long) inRate << 32) | outRate, k -> new ResamplerDesign(inRate, outRate));
    }

    public int inputRate() {
        return inRate;
    }

    public int outputRate() {
        return outRate;
    }

    /** Input samples each computed output sample is computed from (integer up-sampling: phases 1..L-1). */
    public int taps() {
        return taps;
    }

    public double cutoffHz() {
        return cutoffHz;
    }

    /** Whether every output phase has its own row (no interpolation between rows). */
    public boolean exactPhases() {
        return exact;
    }

    @Override
    public String toString() {
        if (integerUp) {
            return "L-th-band windowed-sinc " + inRate + "->" + outRate + " Hz (" + taps + " taps on " + (phases - 1)
                    + " of " + phases + " phases, cutoff " + Math.round(cutoffHz) + " Hz, Kaiser "
                    + (int) UPSAMPLING_STOPBAND_DB + " dB)";
        }
        return "windowed-sinc " + inRate + "->" + outRate + " Hz (" + taps + " taps, " + phases + " phases"
                + (exact ? "" : " interpolated") + ", cutoff " + Math.round(cutoffHz) + " Hz, Kaiser "
                + (int) STOPBAND_DB + " dB)";
    }

    private static double sinc(double x) {
        if (Math.abs(x) < 1e-12) return 1.0;
        double px = Math.PI * x;
        return Math.sin(px) / px;
    }

    private static double besselI0(double x) {
        double sum = 1;
        double term = 1;
        double q = x * x / 4;
        for (int k = 1; k < 200; k++) {
            term *= q / ((double) k * k);
            sum += term;
            if (term < sum * 1e-17) break;
        }
        return sum;
    }

    private static long gcd(long a, long b) {
        while (b != 0) {
            long t = a % b;
            a = b;
            b = t;
        }
        return a;
    }
}
