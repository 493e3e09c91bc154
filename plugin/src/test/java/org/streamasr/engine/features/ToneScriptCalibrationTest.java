package org.streamasr.engine.features;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.streamasr.tools.testmodel.ToneScript;
import org.streamasr.tools.testmodel.ToneVocabulary;

/**
 * The constructed-model kit (test-kit) keeps its tone amplitudes as a table so that it needs no engine class; this
 * measures them again through the engine's front end, as the kit once did at run time, so a change to
 * {@link LogMelExtractor} that would shift the tones' log-mel values fails here rather than in the transcripts.
 */
class ToneScriptCalibrationTest {
    private static final double PROBE = 0.05;

    @Test
    void theKitSpeaksAtTheEnginesRateAndMelBins() {
        assertEquals(LogMelExtractor.SAMPLE_RATE, ToneScript.SAMPLE_RATE);
        assertEquals(LogMelExtractor.N_MELS, ToneScript.N_MELS);
    }

    @Test
    void eachBandsAmplitudePutsItsOwnMelBinAtTheTarget() {
        for (int band = 0; band <= ToneVocabulary.PILOT_BAND; band++) {
            float[] x = new float[LogMelExtractor.SAMPLE_RATE / 2];
            double f = ToneScript.melCentreHz(ToneVocabulary.melBin(band));
            for (int n = 0; n < x.length; n++) x[n] = (float) (PROBE * Math.sin(2 * Math.PI * f * n / LogMelExtractor.SAMPLE_RATE));
            LogMelExtractor mel = new LogMelExtractor();
            mel.accept(x, 0, x.length);
            float[] frames = new float[30 * LogMelExtractor.N_MELS];
            mel.poll(frames, 0, 30);
            double measured = frames[25 * LogMelExtractor.N_MELS + ToneVocabulary.melBin(band)];
            double amplitude = PROBE * Math.exp((ToneScript.TARGET_LOG_MEL - measured) / 2);
            assertEquals(amplitude, ToneScript.amplitude(band), 1e-9 * amplitude, "band " + band);
        }
    }
}
