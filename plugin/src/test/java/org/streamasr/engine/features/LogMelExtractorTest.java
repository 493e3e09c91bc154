package org.streamasr.engine.features;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streamasr.media.wav.WavFile;
import org.streamasr.testing.RequiredTools;

class LogMelExtractorTest {
    /** Absolute tolerance on ln(mel) against the double-precision numpy reference. */
    private static final double TOLERANCE = 1e-4;
    static final Path LIBRIVOX = Path.of("/usr/share/pocketsphinx/test/data/librivox");

    @TempDir
    Path tmp;

    // ---- against the independent numpy reference -------------------------------------------------------------

    @Test
    void speechMatchesReference() throws IOException {
        Path wav = LIBRIVOX.resolve("sense_and_sensibility_01_austen_64kb-0880.wav");
        RequiredTools.file(wav, "pocketsphinx-testdata");
        float[] x = WavFile.toFloat(WavFile.read(wav).samples());
        checkAgainstReference("LibriVox speech 0880", x, wav);
    }

    @Test
    void syntheticSignalsMatchReference() throws IOException {
        Random rnd = new Random(7);
        float[] tone = new float[16_000];
        float[] tones = new float[12_345];
        float[] noise = new float[8_000];
        float[] chirp = new float[16_000];
        for (int i = 0; i < tone.length; i++) tone[i] = (float) (0.5 * Math.sin(2 * Math.PI * 440 * i / 16_000.0));
        for (int i = 0; i < tones.length; i++) {
            tones[i] = (float) (0.3 * Math.sin(2 * Math.PI * 125 * i / 16_000.0) + 0.2 * Math.sin(2 * Math.PI * 3_000 * i / 16_000.0)
                    + 0.1 * Math.sin(2 * Math.PI * 7_900 * i / 16_000.0));
        }
        for (int i = 0; i < noise.length; i++) noise[i] = (float) Math.max(-1, Math.min(1, 0.3 * rnd.nextGaussian()));
        for (int i = 0; i < chirp.length; i++) {
            double t = i / 16_000.0;
            chirp[i] = (float) (0.8 * Math.sin(2 * Math.PI * (50 * t + 3_900 * t * t)));
        }
        checkAgainstReference("440 Hz tone", tone, null);
        checkAgainstReference("three tones", tones, null);
        checkAgainstReference("white noise", noise, null);
        checkAgainstReference("chirp 50 Hz..7.85 kHz", chirp, null);
        checkAgainstReference("full-scale square wave", square(4_321), null);
        checkAgainstReference("silence", new float[3_200], null);
        checkAgainstReference("399 samples", java.util.Arrays.copyOf(noise, 399), null);
    }

    private void checkAgainstReference(String what, float[] x, Path wav) throws IOException {
        Path audio = wav;
        if (audio == null) {
            audio = tmp.resolve("in.f32");
            NumpyReference.writeF32(x, audio);
        }
        Path npy = tmp.resolve("got.npy");
        float[] features = streamed(x, new Random(what.hashCode()), true);
        int frames = features.length / LogMelExtractor.N_MELS;
        try (NpyWriter w = new NpyWriter(npy, frames, LogMelExtractor.N_MELS)) {
            w.writeRows(features, 0, frames);
        }
        NumpyReference.compare(audio, npy).assertMatches(what, TOLERANCE);
    }

    // ---- self-contained properties (always run) --------------------------------------------------------------

    @Test
    void randomCutsEqualOnePassBitForBit() {
        Random rnd = new Random(42);
        float[] x = new float[37_913];
        for (int i = 0; i < x.length; i++) x[i] = (float) (0.4 * Math.sin(i * 0.013) * Math.sin(i * 0.37) + 0.05 * rnd.nextGaussian());
        float[] once = streamed(x, null, false);
        assertEquals(LogMelExtractor.frameCount(x.length) * LogMelExtractor.N_MELS, once.length);
        for (int trial = 0; trial < 20; trial++) {
            assertArrayEquals(once, streamed(x, new Random(trial), trial % 2 == 0), "cut pattern " + trial);
        }
    }

    @Test
    void silenceGivesTheLogGuard() {
        float[] features = streamed(new float[1_600], null, false);
        assertEquals(10 * LogMelExtractor.N_MELS, features.length);
        float guard = (float) Math.log(LogMelExtractor.LOG_GUARD);
        for (float f : features) assertEquals(guard, f);
    }

    @Test
    void framesBecomeAvailableAsSoonAsTheirWindowIsIn() {
        LogMelExtractor e = new LogMelExtractor();
        float[] one = new float[1];
        int[] expected = new int[1_000];
        for (int n = 1; n <= expected.length; n++) {
            e.accept(one, 0, 1);
            // frame t needs samples [160t - 200, 160t + 200)
            int want = n < 200 ? 0 : (n - 200) / 160 + 1;
            assertEquals(want, e.framesAvailable() + (int) e.framesPolled(), "after " + n + " samples");
            if (n % 333 == 0) e.poll(new float[10 * LogMelExtractor.N_MELS], 0, 10);
        }
        e.finish();
        assertEquals(1_000 / 160, e.framesAvailable() + e.framesPolled());
    }

    @Test
    void frameCountFollowsNemoSeqLen() {
        for (int len : new int[] {0, 1, 159, 160, 199, 200, 319, 320, 399, 400, 16_000, 16_159}) {
            LogMelExtractor e = new LogMelExtractor();
            e.accept(new float[len], 0, len);
            e.finish();
            assertEquals(len / 160, e.framesAvailable(), "L = " + len);
        }
    }

    @Test
    void resetStartsANewSignalAndAcceptAfterFinishIsRefused() {
        float[] x = square(5_000);
        LogMelExtractor e = new LogMelExtractor();
        float[] first = drain(e, x);
        assertThrows(IllegalStateException.class, () -> e.accept(x, 0, 10));
        e.reset();
        assertArrayEquals(first, drain(e, x));
    }

    @Test
    void fftMatchesADirectDft() {
        RealFft fft = new RealFft(512);
        double[] x = new double[512];
        Random rnd = new Random(1);
        for (int i = 0; i < x.length; i++) x[i] = rnd.nextGaussian();
        double[] power = new double[257];
        fft.powerSpectrum(x, power);
        for (int k = 0; k <= 256; k++) {
            double re = 0, im = 0;
            for (int n = 0; n < 512; n++) {
                re += x[n] * Math.cos(2 * Math.PI * k * n / 512);
                im -= x[n] * Math.sin(2 * Math.PI * k * n / 512);
            }
            assertEquals(re * re + im * im, power[k], 1e-9 * (1 + re * re + im * im), "bin " + k);
        }
    }

    @Test
    void melScaleIsSlaneys() {
        assertEquals(15.0, MelFilterBank.hzToMel(1_000), 1e-12);
        assertEquals(3.0, MelFilterBank.hzToMel(200), 1e-12);
        for (double hz : new double[] {0, 100, 999, 1_000, 4_000, 8_000}) {
            assertEquals(hz, MelFilterBank.melToHz(MelFilterBank.hzToMel(hz)), 1e-9);
        }
        MelFilterBank bank = new MelFilterBank(16_000, 512, 128, 0, 8_000);
        assertEquals(128, bank.size());
        assertTrue(bank.nonZeroWeights() < 128 * 257 / 10, "filters are stored sparsely");
    }

    @Test
    void npyHeaderIsVersion1AlignedAndDescribesTheArray() {
        byte[] h = NpyWriter.header(123, 128);
        assertEquals(0, h.length % 64);
        assertEquals((byte) 0x93, h[0]);
        assertEquals("NUMPY", new String(h, 1, 5, java.nio.charset.StandardCharsets.US_ASCII));
        assertEquals(1, h[6]);
        assertEquals(h.length - 10, (h[8] & 0xff) | (h[9] & 0xff) << 8);
        String dict = new String(h, 10, h.length - 10, java.nio.charset.StandardCharsets.US_ASCII);
        assertTrue(dict.startsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (123, 128), }"), dict);
        assertTrue(dict.endsWith("\n"));
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    /** Features of {@code x} fed whole ({@code cuts == null}) or in random pieces, polled in random amounts. */
    static float[] streamed(float[] x, Random cuts, boolean tinyPieces) {
        LogMelExtractor e = new LogMelExtractor();
        float[] out = new float[(int) LogMelExtractor.frameCount(x.length) * LogMelExtractor.N_MELS];
        int at = 0;
        int frames = 0;
        while (at < x.length) {
            int n = cuts == null ? x.length : 1 + cuts.nextInt(tinyPieces ? 400 : 5_000);
            n = Math.min(n, x.length - at);
            e.accept(x, at, n);
            at += n;
            int max = cuts == null ? Integer.MAX_VALUE : cuts.nextInt(4);
            frames += e.poll(out, frames * LogMelExtractor.N_MELS, Math.min(max, e.framesAvailable()));
        }
        e.finish();
        frames += e.poll(out, frames * LogMelExtractor.N_MELS, e.framesAvailable());
        assertEquals(out.length, frames * LogMelExtractor.N_MELS);
        assertEquals(0, e.framesAvailable());
        return out;
    }

    private static float[] drain(LogMelExtractor e, float[] x) {
        e.accept(x, 0, x.length);
        e.finish();
        float[] out = new float[e.framesAvailable() * LogMelExtractor.N_MELS];
        e.poll(out, 0, e.framesAvailable());
        return out;
    }

    private static float[] square(int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (i / 37) % 2 == 0 ? 1f : -1f;
        return x;
    }
}
