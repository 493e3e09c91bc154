package org.streamasr.media.resample;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.streamasr.testing.ExternalTools;
import org.streamasr.testing.SignalMetrics;

/**
 * Measures our resampler and sox's default ({@code rate}, i.e. {@code -h}, linear phase) on the same signals and
 * prints both:
 * <ul>
 *   <li>pass band: a -6 dBFS sweep from 50 Hz to 90% of the lower Nyquist frequency; SNR of the output against the
 *       ideal sweep evaluated at the output instants (everything else, ripple, images, noise, counts as error);</li>
 *   <li>stop band (down-sampling): a sweep from the output's Nyquist frequency to 95% of the input's, which must
 *       vanish; attenuation = input level / output level;</li>
 *   <li>image rejection (8 kHz up-sampling): tones across the telephone band, each of which leaves an image at
 *       8 kHz minus its frequency; rejection = tone level / image level at the output, the worst tone reported.</li>
 * </ul>
 *
 * <p>The bounds, relative to sox. Ours is designed for {@value ResamplerDesign#STOPBAND_DB} dB
 * ({@link ResamplerDesign}), sox's {@code -h} for more (about 125 dB), and sox measures 10-35 dB better than ours on
 * some of these figures in floating point. That difference cannot reach the product's output, which is 16-bit PCM,
 * so:
 * <ul>
 *   <li>in floating point, ours must reach sox's figure less 3 dB, except where sox goes past what 16-bit output can
 *       carry: there ours must stay {@value #MARGIN_DB} dB past that limit. For the pass band, the limit is the
 *       SNR of the ideal sweep rounded to 16 bits (about 92 dB), so our error is under a tenth of the rounding error
 *       every delivered sample has anyway; for the stop band and images, it is {@value #HALF_LSB_DB} dB, which puts
 *       what is left of a full-scale input below half a 16-bit step;</li>
 *   <li>in 16-bit PCM, as the pipeline runs it (16-bit in, 16-bit out, both rounded, sox without dither so that
 *       both round the same way), ours must be within 1 dB of sox.</li>
 * </ul>
 */
class ResamplerVsSoxTest {
    /** 20 log10(2^16): attenuation that takes a full-scale (±2^15) signal below half a step (0.5). */
    static final double HALF_LSB_DB = 96.3;
    static final double MARGIN_DB = 10;
    static final double AMPLITUDE = 0.5;

    @TempDir
    Path dir;

    /** A linear sweep from f0 to f1 over the duration, evaluated at any time (so the ideal output is exact). */
    static double sweep(double t, double f0, double f1, double duration) {
        return AMPLITUDE * Math.sin(2 * Math.PI * (f0 * t + (f1 - f0) * t * t / (2 * duration)));
    }

    static float[] sample(int rate, double seconds, double f0, double f1) {
        float[] x = new float[(int) (rate * seconds)];
        for (int i = 0; i < x.length; i++) x[i] = (float) sweep(i / (double) rate, f0, f1, seconds);
        return x;
    }

    @ParameterizedTest
    @ValueSource(ints = {8_000, 44_100, 48_000})
    void passBandAndStopBandAgainstSox(int inRate) throws Exception {
        ExternalTools.require("sox");
        double seconds = 2.0;
        double f1 = 0.9 * Math.min(inRate, 16_000) / 2.0;
        float[] pass = sample(inRate, seconds, 50, f1);
        double[] ideal = new double[(int) Math.ceil(seconds * 16_000)];
        for (int i = 0; i < ideal.length; i++) ideal[i] = sweep(i / 16_000.0, 50, f1, seconds);
        int edge = 800;

        double oursSnr = snr(ideal, StreamingResamplerTest.runAll(StreamingResampler.create(inRate, 16_000), pass, 320), edge);
        double soxSnr = snr(ideal, soxFloat(pass, inRate), edge);
        double quantised = snr(ideal, roundedTo16Bits(ideal), edge);

        // 16-bit in, 16-bit out, as the pipeline runs
        short[] pass16 = toPcm16(pass);
        double[] ideal16 = Arrays.stream(ideal).map(v -> v * 32768).toArray();
        double ours16 = snr16(ideal16, runShorts(StreamingResampler.create(inRate, 16_000), pass16, 320), edge);
        double sox16 = snr16(ideal16, soxPcm16(pass16, inRate), edge);

        System.out.printf("resampler vs sox, %d -> 16000 Hz: pass-band sweep SNR ours %.1f dB, sox %.1f dB (16-bit"
                + " rounding alone %.1f dB); 16-bit in and out: ours %.1f dB, sox %.1f dB%n", inRate, oursSnr, soxSnr,
                quantised, ours16, sox16);
        assertTrue(oursSnr >= Math.min(soxSnr - 3, quantised + MARGIN_DB),
                "pass band: ours " + oursSnr + " dB vs sox " + soxSnr + " dB, 16-bit rounding " + quantised + " dB");
        assertTrue(ours16 >= sox16 - 1, "16-bit pass band: ours " + ours16 + " dB vs sox " + sox16 + " dB");

        if (inRate > 16_000) {
            float[] hi = sample(inRate, seconds, 8_000, 0.95 * inRate / 2.0);
            double inRms = SignalMetrics.rms(SignalMetrics.toDouble(hi), 0, hi.length);
            float[] o = StreamingResamplerTest.runAll(StreamingResampler.create(inRate, 16_000), hi, 320);
            float[] s = soxFloat(hi, inRate);
            double oursAtt = 20 * Math.log10(inRms / SignalMetrics.rms(SignalMetrics.toDouble(o), edge, o.length - edge));
            double soxAtt = 20 * Math.log10(inRms / SignalMetrics.rms(SignalMetrics.toDouble(s), edge, s.length - edge));
            System.out.printf("resampler vs sox, %d -> 16000 Hz: stop band 8 kHz..%.1f kHz attenuation ours %.1f dB,"
                    + " sox %.1f dB%n", inRate, 0.95 * inRate / 2000.0, oursAtt, soxAtt);
            assertTrue(oursAtt >= Math.min(soxAtt - 3, HALF_LSB_DB + MARGIN_DB),
                    "stop band: ours " + oursAtt + " dB vs sox " + soxAtt + " dB");
        }
    }

    /**
     * 8 kHz telephone audio up to 16 kHz: a tone at f leaves an image at 8000 - f unless the interpolation filter
     * removes it; the image would be heard (and seen by the features) as energy in the 4-8 kHz band that the call
     * never had.
     */
    @Test
    void imageRejectionOfTelephoneUpSampling() throws Exception {
        ExternalTools.require("sox");
        int[] tones = {300, 1_000, 2_000, 3_000, 3_400, 3_600};
        double ours = Double.POSITIVE_INFINITY;
        double sox = Double.POSITIVE_INFINITY;
        StringBuilder each = new StringBuilder();
        for (int f : tones) {
            float[] in = new float[16_000]; // 2 s at 8 kHz
            for (int i = 0; i < in.length; i++) in[i] = (float) (AMPLITUDE * Math.sin(2 * Math.PI * f * i / 8_000.0 + 0.3));
            double o = imageRejection(StreamingResamplerTest.runAll(StreamingResampler.create(8_000, 16_000), in, 160), f);
            double s = imageRejection(soxFloat(in, 8_000), f);
            each.append(String.format(" %d Hz: ours %.1f, sox %.1f;", f, o, s));
            ours = Math.min(ours, o);
            sox = Math.min(sox, s);
        }
        System.out.printf("resampler vs sox, 8000 -> 16000 Hz image rejection (tone at f, image at 8000-f), worst"
                + " tone: ours %.1f dB, sox %.1f dB;%s%n", ours, sox, each);
        assertTrue(ours >= Math.min(sox - 3, HALF_LSB_DB + MARGIN_DB), "image rejection: ours " + ours + " dB vs sox "
                + sox + " dB (" + each + ")");
    }

    /** Tone level over image level at the 16 kHz output, each measured with a Hann-windowed DFT at its frequency. */
    static double imageRejection(float[] out16k, double f) {
        int edge = 800; // the filter's start and end transients
        double tone = amplitudeAt(out16k, edge, out16k.length - edge, f, 16_000);
        double image = amplitudeAt(out16k, edge, out16k.length - edge, 8_000 - f, 16_000);
        return 20 * Math.log10(tone / Math.max(image, 1e-300));
    }

    /** Amplitude of the sinusoid at {@code f} in {@code x[from, to)} (Hann window; leakage from far tones is nil). */
    static double amplitudeAt(float[] x, int from, int to, double f, int rate) {
        int n = to - from;
        double re = 0;
        double im = 0;
        double wsum = 0;
        for (int i = 0; i < n; i++) {
            double w = 0.5 - 0.5 * Math.cos(2 * Math.PI * i / (n - 1));
            double ph = 2 * Math.PI * f * i / rate;
            re += w * x[from + i] * Math.cos(ph);
            im -= w * x[from + i] * Math.sin(ph);
            wsum += w;
        }
        return 2 * Math.hypot(re, im) / wsum;
    }

    private static double snr(double[] ideal, float[] out, int edge) {
        int n = Math.min(ideal.length, out.length);
        return SignalMetrics.snrDb(ideal, SignalMetrics.toDouble(out), edge, n - edge);
    }

    private static double snr16(double[] ideal, short[] out, int edge) {
        int n = Math.min(ideal.length, out.length);
        return SignalMetrics.snrDb(ideal, SignalMetrics.toDouble(out), edge, n - edge);
    }

    private static float[] roundedTo16Bits(double[] x) {
        float[] out = new float[x.length];
        for (int i = 0; i < x.length; i++) out[i] = (float) (Math.round(x[i] * 32768) / 32768.0);
        return out;
    }

    private static short[] toPcm16(float[] x) {
        short[] out = new short[x.length];
        for (int i = 0; i < x.length; i++) out[i] = (short) Math.round(x[i] * 32768);
        return out;
    }

    /** Our resampler's 16-bit path, fed in chunks as the pipeline feeds it, flushed at the end. */
    static short[] runShorts(StreamingResampler r, short[] in, int chunk) {
        short[] out = new short[r.maxOutput(in.length) + r.maxOutput(0) + 16];
        short[] tmp = new short[r.maxOutput(chunk) + 16];
        int pos = 0;
        for (int off = 0; off < in.length; off += chunk) {
            int n = r.process(in, off, Math.min(chunk, in.length - off), tmp);
            System.arraycopy(tmp, 0, out, pos, n);
            pos += n;
        }
        short[] tail = new short[r.maxOutput(0) + 16];
        int n = r.flush(tail);
        System.arraycopy(tail, 0, out, pos, n);
        return Arrays.copyOf(out, pos + n);
    }

    private float[] soxFloat(float[] in, int inRate) throws IOException, InterruptedException {
        Path src = dir.resolve("in-" + inRate + ".f32");
        Path dst = dir.resolve("out-" + inRate + ".f32");
        ByteBuffer b = ByteBuffer.allocate(in.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : in) b.putFloat(v);
        Files.write(src, b.array());
        ExternalTools.run(60, "sox", "-t", "raw", "-e", "floating-point", "-b", "32", "-c", "1", "-r",
                String.valueOf(inRate), "-L", src.toString(), "-t", "raw", "-e", "floating-point", "-b", "32", "-L",
                dst.toString(), "rate", "16000");
        ByteBuffer r = ByteBuffer.wrap(Files.readAllBytes(dst)).order(ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[r.remaining() / 4];
        for (int i = 0; i < out.length; i++) out[i] = r.getFloat();
        return out;
    }

    /** sox on 16-bit PCM, rounding its output to 16 bits without dither ({@code -D}), as ours rounds. */
    private short[] soxPcm16(short[] in, int inRate) throws IOException, InterruptedException {
        Path src = dir.resolve("in-" + inRate + ".s16");
        Path dst = dir.resolve("out-" + inRate + ".s16");
        ByteBuffer b = ByteBuffer.allocate(in.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (short v : in) b.putShort(v);
        Files.write(src, b.array());
        ExternalTools.run(60, "sox", "-D", "-t", "raw", "-e", "signed-integer", "-b", "16", "-c", "1", "-r",
                String.valueOf(inRate), "-L", src.toString(), "-t", "raw", "-e", "signed-integer", "-b", "16", "-L",
                dst.toString(), "rate", "16000");
        ByteBuffer r = ByteBuffer.wrap(Files.readAllBytes(dst)).order(ByteOrder.LITTLE_ENDIAN);
        short[] out = new short[r.remaining() / 2];
        for (int i = 0; i < out.length; i++) out[i] = r.getShort();
        return out;
    }
}
