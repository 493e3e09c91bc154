package org.streamasr.engine.nemotron;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.streamasr.engine.Acceleration;
import org.streamasr.engine.EngineConfig;
import org.streamasr.engine.StreamSpec;
import org.streamasr.engine.Utterance;
import org.streamasr.tools.testmodel.TestModelVariant;
import org.streamasr.engine.vad.VadModels;
import org.streamasr.media.wav.WavFile;

/**
 * The VAD lets the engine skip model runs for participants who are silent, without changing their captions: recorded
 * speech with long silences gives the same utterances (text, token ids and times, languages) with and without
 * skipping, while most chunks of the silences are not run.
 */
class VadSkipTest {
    private static final Path LIBRIVOX = Path.of("/usr/share/pocketsphinx/test/data/librivox");

    @BeforeAll
    static void track() {
        NemotronEngineTest.trackLeaks();
    }

    /**
     * Silence, speech, long silence, speech, silence: a conference participant who says two things. The speech is
     * made loud (x8, clipped) so that the tone model's band thresholds fire on it often.
     */
    private static float[] conferenceParticipant() throws Exception {
        List<float[]> parts = new ArrayList<>();
        parts.add(new float[3 * 16_000]);
        parts.add(loud("sense_and_sensibility_01_austen_64kb-0880.wav"));
        parts.add(new float[9 * 16_000]);
        parts.add(loud("sense_and_sensibility_01_austen_64kb-0930.wav"));
        parts.add(new float[5 * 16_000]);
        int n = 0;
        for (float[] p : parts) n += p.length;
        float[] out = new float[n];
        int at = 0;
        for (float[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    private static float[] loud(String file) throws java.io.IOException {
        float[] x = WavFile.toFloat(WavFile.read(LIBRIVOX.resolve(file)).mono());
        for (int i = 0; i < x.length; i++) x[i] = Math.max(-1f, Math.min(1f, x[i] * 8));
        return x;
    }

    /** Ids carry the engine's number; everything else must match. */
    private static List<String> withoutIds(List<Utterance> finals) {
        return finals.stream().map(u -> u.index() + " " + u.startMs() + "-" + u.endMs() + " " + u.language() + " "
                + u.text() + " " + u.tokens()).toList();
    }

    private record Run(List<Utterance> finals, long run, long skipped) {
    }

    private static Run transcribe(Path model, boolean skip, Acceleration mode, float[] audio) throws Exception {
        EngineConfig o = EngineConfig.builder().engine("nemotron").modelDir(model).intraOpThreads(1)
                .vadModel(VadModels.require()).streamBuffer(Duration.ofSeconds(60))
                .extra("nemotron.vad-skip", Boolean.toString(skip)).build();
        try (NemotronEngine e = NemotronEngine.open(o)) {
            Recorder r = NemotronEngineTest.transcribe(e, StreamSpec.live("auto", mode, "vad"), audio, 320);
            return new Run(r.finals(), e.chunksRun(), e.chunksSkipped());
        }
    }

    @Test
    void skippingSilentChunksLeavesCaptionsUnchanged() throws Exception {
        Path model = TestModels.tiny(TestModelVariant.ML);
        float[] audio = conferenceParticipant();
        for (Acceleration mode : List.of(Acceleration.REGULAR, Acceleration.FULL)) {
            Run all = transcribe(model, false, mode, audio);
            Run skipping = transcribe(model, true, mode, audio);
            assertFalse(all.finals().isEmpty(), "the model transcribes the speech into something");
            assertEquals(withoutIds(all.finals()), withoutIds(skipping.finals()), mode + ": same utterances with and without skipping");
            assertEquals(0, all.skipped());
            long chunks = skipping.run() + skipping.skipped();
            assertEquals(all.run(), chunks, "the same chunks, run or skipped");
            assertTrue(skipping.skipped() > chunks / 2, mode + ": most of the silence is skipped: " + skipping.skipped()
                    + " of " + chunks);
            System.out.println(mode + ": " + skipping.skipped() + " of " + chunks + " chunks skipped; " + all.finals().size()
                    + " utterances: " + all.finals().stream().map(Utterance::text).toList());
        }
    }
}
