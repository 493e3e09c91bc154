package org.streamasr.engine.nemotron;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.streamasr.engine.Acceleration;
import org.streamasr.engine.EngineConfig;
import org.streamasr.engine.StreamSpec;
import org.streamasr.tools.testmodel.TestModelVariant;
import org.streamasr.tools.testmodel.ToneScript;
import org.streamasr.engine.vad.SileroVadModel;
import org.streamasr.engine.vad.VadModels;
import org.streamasr.engine.vad.VadStream;
import org.streamasr.media.wav.WavFile;

/**
 * The endpoint rule with the Silero VAD on: an utterance ends when the decoder has emitted nothing AND the VAD has
 * heard no speech for {@code endpoint-trailing-silence}. The constructed model hears tones, the VAD hears speech, so
 * one input can tell the two halves of the rule apart: tones (the decoder emits; the VAD hears no speech), then
 * recorded speech (the VAD hears speech; the tone model emits nothing), then silence (neither), then tones again.
 * Tones first say an even number of pieces, so that when no endpoint separates them the second phrase still decodes
 * to the same pieces (the decoder's parity carries over) and both come out as one utterance.
 */
class EndpointRuleTest {
    private static final Path LIBRIVOX = Path.of("/usr/share/pocketsphinx/test/data/librivox");
    private static final int PAUSE_MS = 4400;
    private static final int SPEECH_DELAY_MS = 160;
    private static ToneScript script;
    private static float[] audio;
    private static long vadSilenceBeforeSecondPhraseMs;

    @BeforeAll
    static void build() throws Exception {
        NemotronEngineTest.trackLeaks();
        script = ToneScript.builder(TestModelVariant.EN).leadingSilenceMillis(320).say("en-US", "hello, world.")
                .thenPauseMillis(PAUSE_MS).say("en-US", "good morning.").trailingSilenceMillis(2400).build();
        audio = script.samples();
        float[] speech = WavFile.toFloat(WavFile.read(LIBRIVOX.resolve("sense_and_sensibility_01_austen_64kb-0880.wav")).mono());
        long pauseStart = firstFrameAfter(0) * (long) ToneScript.FRAME_SAMPLES;
        int at = (int) (pauseStart + SPEECH_DELAY_MS * 16L);
        for (int i = 0; i < speech.length; i++) audio[at + i] += 0.5f * speech[i];

        // the premises, measured: the VAD hears the speech and not the tones, and how long its silence before the
        // second phrase is (that the tone model hears nothing in the speech shows in the run without the VAD)
        float[] probabilities = vad(audio);
        long secondPhrase = script.tokens().stream().filter(t -> t.utterance() == 1).findFirst().orElseThrow().startMs();
        long lastSpeechEndMs = -1;
        int speechWindows = 0;
        for (int w = 0; w < probabilities.length; w++) {
            long endMs = (w + 1L) * SileroVadModel.WINDOW_MILLIS;
            if (probabilities[w] >= SpeechActivity.SPEECH) {
                speechWindows++;
                if (endMs <= secondPhrase) lastSpeechEndMs = endMs;
                boolean inSpeech = w * SileroVadModel.WINDOW >= at - SileroVadModel.WINDOW
                        && w * SileroVadModel.WINDOW < at + speech.length + SileroVadModel.WINDOW;
                assertTrue(inSpeech, "the VAD hears speech only where the speech is, not in tones: window " + w);
            }
        }
        assertTrue(speechWindows * SileroVadModel.WINDOW > speech.length / 2, "the VAD hears the speech: " + speechWindows);
        vadSilenceBeforeSecondPhraseMs = secondPhrase - lastSpeechEndMs;
        assertTrue(vadSilenceBeforeSecondPhraseMs > 1000 && vadSilenceBeforeSecondPhraseMs < 1500,
                "between 800 and 1600 ms of VAD silence before the second phrase: " + vadSilenceBeforeSecondPhraseMs);
    }

    /** The frame after the last piece's slot of utterance {@code u}. */
    private static long firstFrameAfter(int u) {
        long last = script.tokens().stream().filter(t -> t.utterance() == u).mapToLong(ToneScript.ScriptToken::frame).max().orElseThrow();
        return last + 3;
    }

    private static float[] vad(float[] x) throws Exception {
        try (SileroVadModel m = SileroVadModel.load(VadModels.require())) {
            VadStream s = m.newStream();
            s.accept(x, 0, x.length);
            s.finish();
            while (m.process(List.of(s)) > 0) {
                // one window per run
            }
            float[] p = new float[s.probabilitiesAvailable()];
            s.poll(p, 0, p.length);
            return p;
        }
    }

    private static List<String> finals(boolean withVad, int trailingMs, float[] input) throws Exception {
        EngineConfig.Builder o = NemotronEngineTest.options(TestModelVariant.EN)
                .endpointTrailingSilence(Duration.ofMillis(trailingMs))
                // tones are no speech to the VAD: skipping would skip them all
                .extra("nemotron.vad-skip", "false");
        if (withVad) o.vadModel(VadModels.require());
        try (NemotronEngine e = NemotronEngine.open(o.build())) {
            Recorder r = NemotronEngineTest.transcribe(e, StreamSpec.live("en-US", Acceleration.FULL, "endpoint"), input, 320);
            return r.finalTexts();
        }
    }

    @Test
    void vadSilenceEndsTheUtteranceOnlyOnceItLastsTheTrailingSilence() throws Exception {
        // 800 ms: the silence after the speech is long enough
        assertEquals(List.of("hello, world.", "good morning."), finals(true, 800, audio));
        // 1600 ms: the decoder has been silent for over 4 s, but the VAD only ~1.3 s (speech, then silence): no end
        assertEquals(List.of("hello, world. good morning."), finals(true, 1600, audio),
                "VAD silence before the second phrase: " + vadSilenceBeforeSecondPhraseMs + " ms");
        // without the VAD the decoder's blanks alone decide, and they are long enough
        assertEquals(List.of("hello, world.", "good morning."), finals(false, 1600, audio));
    }

    @Test
    void vadSilenceAloneDoesNotEndAnUtteranceWhileTheDecoderEmits() throws Exception {
        // a long phrase of tones: the VAD hears no speech for seconds, the decoder emits every 240 ms
        ToneScript longPhrase = ToneScript.builder(TestModelVariant.EN)
                .say("en-US", "hello world. this is a test of streaming speech recognition. good morning, world?").build();
        float[] p = vad(longPhrase.samples());
        for (float x : p) assertTrue(x < SpeechActivity.SPEECH, "no speech in tones");
        assertEquals(longPhrase.expectedTexts("en-US"), finals(true, 800, longPhrase.samples()));
    }
}
