package org.streamasr.media.resample;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.streamasr.testing.ExternalTools;
import org.streamasr.testing.SignalMetrics;

/**
 * Measures our resampler and sox's default ({@code rate}, i.e. -h, linear phase) on the same sine sweeps and
 * prints both:
 * <ul>
 *   <li>pass band: a sweep from 50 Hz to 90% of the lower Nyquist frequency; SNR of the output against the ideal
 *       sweep evaluated at the output instants (everything else, ripple, images, noise, counts as error);</li>
 *   <li>stop band (down-sampling only): a sweep from the output's Nyquist frequency to 95% of the input's, which
 *       must vanish; attenuation = input level / output level.</li>
 * </ul>
 * Ours must be within a few dB of sox's default where sox is limited by its own design target, and good enough for
 * 16-bit audio everywhere: a pass-band SNR above 96 dB (the quantisation floor of 16-bit PCM) and a stop band
 * attenuated by more than 100 dB.
 */
class ResamplerVsSoxTest {
    @TempDir
    Path dir;

    /** A linear sweep from f0 to f1 over the duration, evaluated at any time (so the ideal output is exact). */
    static double sweep(double t, double f0, double f1, double duration) {
        return 0.5 * Math.sin(2 * Math.PI * (f0 * t + (f1 - f0) * t * t / (2 * duration)));
    }

    static float[] sample(int rate, double seconds, double f0, double f1) {
        float[] x = new float[(int) (rate * seconds)];
        for (int i = 0; i < x.length; i++) x[i] = (float) sweep(i / (double) rate, f0, f1, seconds);
        return x;
    }

    @ParameterizedTest
    @ValueSource(ints = {8_000, 44_100, 48_000})
    void passBandAndStopBandMatchSoxDefault(int inRate) throws Exception {
        ExternalTools.require("sox");
        double seconds = 2.0;
        double lowNyquist = Math.min(inRate, 16_000) / 2.0;
        float[] pass = sample(inRate, seconds, 50, 0.9 * lowNyquist);
        double[] ideal = new double[(int) Math.ceil(seconds * 16_000)];
        for (int i = 0; i < ideal.length; i++) ideal[i] = sweep(i / 16_000.0, 50, 0.9 * lowNyquist, seconds);

        float[] oursPass = StreamingResamplerTest.runAll(StreamingResampler.create(inRate, 16_000), pass, 320);
        float[] soxPass = sox(pass, inRate);
        int edge = 800;
        double oursSnr = snr(ideal, oursPass, edge);
        double soxSnr = snr(ideal, soxPass, edge);

        String stop = "";
        double oursAtt = Double.NaN;
        double soxAtt = Double.NaN;
        if (inRate > 16_000) {
            float[] hi = sample(inRate, seconds, 8_000, 0.95 * inRate / 2.0);
            double inRms = SignalMetrics.rms(SignalMetrics.toDouble(hi), 0, hi.length);
            float[] o = StreamingResamplerTest.runAll(StreamingResampler.create(inRate, 16_000), hi, 320);
            float[] s = sox(hi, inRate);
            oursAtt = 20 * Math.log10(inRms / SignalMetrics.rms(SignalMetrics.toDouble(o), edge, o.length - edge));
            soxAtt = 20 * Math.log10(inRms / SignalMetrics.rms(SignalMetrics.toDouble(s), edge, s.length - edge));
            stop = String.format("; stop band 8 kHz..%.1f kHz attenuation: ours %.1f dB, sox %.1f dB",
                    0.95 * inRate / 2000.0, oursAtt, soxAtt);
        }
        System.out.printf("resampler vs sox, %d -> 16000 Hz: pass-band sweep SNR ours %.1f dB, sox %.1f dB%s%n",
                inRate, oursSnr, soxSnr, stop);
        assertTrue(oursSnr > Math.min(soxSnr - 6, 96), "pass band: ours " + oursSnr + " dB vs sox " + soxSnr + " dB");
        if (inRate > 16_000) {
            assertTrue(oursAtt > Math.min(soxAtt - 6, 100), "stop band: ours " + oursAtt + " dB vs sox " + soxAtt + " dB");
        }
    }

    private static double snr(double[] ideal, float[] out, int edge) {
        int n = Math.min(ideal.length, out.length);
        return SignalMetrics.snrDb(ideal, SignalMetrics.toDouble(out), edge, n - edge);
    }

    private float[] sox(float[] in, int inRate) throws IOException, InterruptedException {
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
}
