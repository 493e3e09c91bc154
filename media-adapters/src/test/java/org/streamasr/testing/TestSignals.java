package org.streamasr.testing;

/** Synthetic test audio. */
public final class TestSignals {
    private TestSignals() {
    }

    /**
     * A voiced, speech-like signal: ten harmonics whose pitch glides between 110 and 190 Hz (so alignment by
     * cross-correlation is unambiguous), with a syllable-rate amplitude envelope.
     */
    public static short[] voiced(int rate, int samples, double amplitude) {
        short[] x = new short[samples];
        double phase = 0;
        for (int i = 0; i < samples; i++) {
            double t = i / (double) rate;
            phase += 2 * Math.PI * (150 + 40 * Math.sin(2 * Math.PI * 0.7 * t)) / rate;
            double v = 0;
            for (int h = 1; h <= 10; h++) v += Math.sin(h * phase + h) / h;
            x[i] = (short) Math.max(-32768, Math.min(32767, amplitude * v * (0.6 + 0.4 * Math.sin(2 * Math.PI * 3 * t))));
        }
        return x;
    }
}
