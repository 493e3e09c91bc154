package org.streamasr.engine.nemotron;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.streamasr.engine.Acceleration;
import org.streamasr.engine.EngineConfig;
import org.streamasr.engine.RecognitionStream;
import org.streamasr.engine.SpeechEngine;
import org.streamasr.engine.SpeechEngines;
import org.streamasr.engine.StreamSpec;
import org.streamasr.engine.TimedToken;
import org.streamasr.engine.UnsupportedSettingException;
import org.streamasr.engine.Utterance;
import org.streamasr.tools.testmodel.TestModelVariant;
import org.streamasr.tools.testmodel.ToneScript;
import org.streamasr.testing.LeakCheckExtension;

/** The whole engine on constructed models: audio → features → encoder → RNN-T → text, checked exactly. */
class NemotronEngineTest {
    private static final ToneScript ENGLISH = ToneScript.builder(TestModelVariant.EN)
            .say("en-US", "hello world. this is a test of streaming speech recognition.")
            .say("en-US", "good morning, world?")
            .build();
    private static NemotronEngine en;
    private static NemotronEngine ml;

    @BeforeAll
    static void open() {
        trackLeaks();
        en = NemotronEngine.open(options(TestModelVariant.EN).build());
        ml = NemotronEngine.open(options(TestModelVariant.ML).build());
    }

    @AfterAll
    static void close() {
        en.close();
        ml.close();
    }

    static void trackLeaks() {
        LeakCheckExtension.track("nemotron streams", NemotronEngine::openStreamsInProcess);
        LeakCheckExtension.track("nemotron tensors", NemotronEngine::openTensorsInProcess);
    }

    static EngineConfig.Builder options(TestModelVariant v) {
        return EngineConfig.builder().engine("nemotron").modelDir(TestModels.tiny(v)).intraOpThreads(1)
                .streamBuffer(Duration.ofSeconds(60));
    }

    /** Feeds {@code audio} in pieces of the given sizes (cycled), then finishes and waits for the end. */
    static Recorder transcribe(SpeechEngine engine, StreamSpec settings, float[] audio, int... pieces) throws Exception {
        Recorder r = new Recorder();
        try (RecognitionStream s = engine.openStream(settings, r)) {
            int i = 0;
            for (int at = 0; at < audio.length; i++) {
                int n = Math.min(pieces[i % pieces.length], audio.length - at);
                s.acceptAwaiting(audio, at, n);
                at += n;
            }
            s.finish();
            r.awaitFinished(Duration.ofSeconds(60));
        }
        return r;
    }

    static void assertMatches(ToneScript script, String language, Recorder r) {
        List<ToneScript.Expected> expected = script.expected(language);
        List<Utterance> finals = r.finals();
        assertEquals(expected.stream().map(ToneScript.Expected::text).toList(), r.finalTexts());
        for (int i = 0; i < finals.size(); i++) {
            Utterance u = finals.get(i);
            ToneScript.Expected e = expected.get(i);
            assertEquals(e.pieces(), u.tokens().stream().map(TimedToken::text).toList(), "pieces of utterance " + i);
            assertEquals(e.startMs(), u.tokens().stream().map(TimedToken::startMs).toList(), "token times of utterance " + i);
            assertEquals(e.language(), u.language(), "language of utterance " + i);
            assertEquals(i, u.index());
            assertEquals(e.startMs().get(0), u.startMs());
            assertEquals(e.startMs().get(e.startMs().size() - 1) + ToneScript.FRAME_MILLIS, u.endMs());
        }
    }

    @ParameterizedTest
    @EnumSource(value = Acceleration.class, names = {"NONE", "REGULAR", "FULL"})
    void transcribesExactlyInEveryModeOfTheEnglishModel(Acceleration mode) throws Exception {
        Recorder r = transcribe(en, StreamSpec.file("en-US", mode, "en"), ENGLISH.samples(), 1600);
        assertMatches(ENGLISH, "en-US", r);
    }

    @ParameterizedTest
    @EnumSource(Acceleration.class)
    void transcribesExactlyInAllFourModesOfTheMultilingualModel(Acceleration mode) throws Exception {
        ToneScript script = ToneScript.builder(TestModelVariant.ML).say("en-US", "hello world. this is a test.")
                .say("de-DE", "guten morgen, wie geht es dir?").build();
        Recorder r = transcribe(ml, StreamSpec.file("auto", mode, "ml"), script.samples(), 1600);
        assertMatches(script, "auto", r);
    }

    @ParameterizedTest
    @ValueSource(ints = {160, 320, 960})
    void transcriptDoesNotDependOnPacketSize(int packet) throws Exception {
        Recorder r = transcribe(en, StreamSpec.live("en-US", Acceleration.FULL, "p" + packet), ENGLISH.samples(), packet);
        assertMatches(ENGLISH, "en-US", r);
    }

    @Test
    void transcriptDoesNotDependOnRandomSplits() throws Exception {
        Random random = new Random(42);
        int[] pieces = new int[64];
        for (int i = 0; i < pieces.length; i++) pieces[i] = 1 + random.nextInt(3000);
        Recorder r = transcribe(en, StreamSpec.live("en-US", Acceleration.REGULAR, "random"), ENGLISH.samples(), pieces);
        assertMatches(ENGLISH, "en-US", r);
    }

    @Test
    void partialsPrecedeTheirFinalAndGrow() throws Exception {
        Recorder r = transcribe(en, StreamSpec.file("en-US", Acceleration.FULL, "order"), ENGLISH.samples(), 1280);
        List<String> kinds = new ArrayList<>();
        for (Recorder.Event e : r.events) kinds.add(e.kind());
        assertEquals("finished", kinds.get(kinds.size() - 1));
        String open = null;
        String last = "";
        for (Recorder.Event e : r.events) {
            if (e.kind().equals("partial")) {
                if (open == null) open = e.utterance().id();
                assertEquals(open, e.utterance().id(), "partials of one utterance share its id");
                assertTrue(e.utterance().text().startsWith(last), "a partial extends the previous one");
                assertFalse(e.utterance().text().equals(last), "a partial comes only when the text changed");
                last = e.utterance().text();
            } else if (e.kind().equals("final")) {
                if (open != null) assertEquals(open, e.utterance().id());
                open = null;
                last = "";
            }
        }
        assertTrue(r.partials().size() >= 6, "partials after the chunks: " + r.partials().size());
    }

    @Test
    void forcedLanguagePicksThatLanguagesPiecesAndAutoStripsTags() throws Exception {
        ToneScript german = ToneScript.builder(TestModelVariant.ML).say("de-DE", "hallo welt. das ist ein test.").build();
        for (String language : List.of("auto", "de-DE", "en-US")) {
            Recorder r = transcribe(ml, StreamSpec.file(language, Acceleration.HIGH, language), german.samples(), 2000);
            assertMatches(german, language, r);
        }
        assertEquals(List.of("hallo welt. das ist ein test."), german.expectedTexts("auto"));
        assertEquals(List.of("hello world. this is a test."), german.expectedTexts("en-US"));
    }

    @Test
    void autoReportsTheLanguageOfTheTagAndKeepsItOutOfTextAndTokens() throws Exception {
        ToneScript script = ToneScript.builder(TestModelVariant.ML).say("de-DE", "hallo welt.").say("en-US", "good morning")
                .build();
        Recorder r = transcribe(ml, StreamSpec.file("auto", Acceleration.REGULAR, "tags"), script.samples(), 3200);
        List<Utterance> finals = r.finals();
        assertEquals(List.of("hallo welt.", "good morning"), r.finalTexts());
        assertEquals("de-DE", finals.get(0).language());
        assertEquals("de-DE", finals.get(1).language(), "no tag yet in the second: the last detected language stays");
        for (Utterance u : finals) for (TimedToken t : u.tokens()) assertFalse(t.text().startsWith("<"), t.text());
    }

    @Test
    void unsupportedSettingsAreClearErrors() {
        UnsupportedSettingException lang = assertThrows(UnsupportedSettingException.class,
                () -> en.openStream(StreamSpec.live("de-DE", Acceleration.REGULAR, "x"), new Recorder()));
        assertEquals("language", lang.setting());
        assertTrue(lang.getMessage().contains("English"), lang.getMessage());
        assertEquals(List.of("auto", "en-US", "en-GB"), lang.allowed());
        UnsupportedSettingException unknown = assertThrows(UnsupportedSettingException.class,
                () -> ml.openStream(StreamSpec.live("xx-YY", Acceleration.REGULAR, "x"), new Recorder()));
        assertEquals(41, unknown.allowed().size());
        UnsupportedSettingException accel = assertThrows(UnsupportedSettingException.class,
                () -> en.openStream(StreamSpec.live("en-US", Acceleration.HIGH, "x"), new Recorder()));
        assertEquals("acceleration", accel.setting());
        assertTrue(accel.getMessage().contains("320 ms"), accel.getMessage());
        assertEquals(41, ml.languages().size());
        assertEquals(java.util.EnumSet.allOf(Acceleration.class), ml.accelerations());
    }

    @Test
    void aBatchOfStreamsGivesEachStreamsOwnTranscript() throws Exception {
        List<ToneScript> scripts = List.of(
                ToneScript.builder(TestModelVariant.ML).say("en-US", "hello world. this is a test.").build(),
                ToneScript.builder(TestModelVariant.ML).leadingSilenceMillis(400).say("de-DE", "hallo welt. wie geht es dir?").build(),
                ToneScript.builder(TestModelVariant.ML).leadingSilenceMillis(160).say("en-US", "good morning, world?")
                        .say("en-US", "this is a good test.").build(),
                ToneScript.builder(TestModelVariant.ML).leadingSilenceMillis(720).say("de-DE", "guten morgen. das ist ein test.").build(),
                ToneScript.builder(TestModelVariant.ML).leadingSilenceMillis(80).say("en-US", "streaming speech recognition.").build(),
                ToneScript.builder(TestModelVariant.ML).leadingSilenceMillis(240).say("en-US", "hello, hello?").build());
        List<String> languages = List.of("auto", "auto", "en-US", "de-DE", "auto", "en-US");
        List<Recorder> alone = new ArrayList<>();
        for (int i = 0; i < scripts.size(); i++) {
            alone.add(transcribe(ml, StreamSpec.file(languages.get(i), Acceleration.FULL, "alone-" + i), scripts.get(i).samples(), 1600));
        }
        try (NemotronEngine batched = NemotronEngine.open(options(TestModelVariant.ML).inferenceWorkers(1).maxBatch(8)
                .maxBatchWait(Duration.ofMillis(50)).build())) {
            // The one worker is held after its first batch until every stream is fed and finished (on purpose against
            // the listener's must-not-block rule): from then on each batch takes every stream that is not done, so
            // how many batches run does not depend on how fast this thread feeds the streams.
            CountDownLatch fed = new CountDownLatch(1);
            batched.addBatchListener((size, nanos) -> awaitQuietly(fed));
            List<Recorder> together = new ArrayList<>();
            List<RecognitionStream> streams = new ArrayList<>();
            for (int i = 0; i < scripts.size(); i++) {
                Recorder r = new Recorder();
                together.add(r);
                streams.add(batched.openStream(StreamSpec.live(languages.get(i), Acceleration.FULL, "b-" + i), r));
            }
            try {
                for (int i = 0; i < scripts.size(); i++) {
                    float[] audio = scripts.get(i).samples();
                    assertTrue(streams.get(i).accept(audio, 0, audio.length));
                }
                streams.forEach(RecognitionStream::finish);
            } finally {
                fed.countDown();
            }
            for (Recorder r : together) r.awaitFinished(Duration.ofSeconds(60));
            streams.forEach(RecognitionStream::close);
            for (int i = 0; i < scripts.size(); i++) {
                assertMatches(scripts.get(i), languages.get(i), together.get(i));
                assertEquals(strip(alone.get(i).finals()), strip(together.get(i).finals()), "stream " + i);
            }
            assertTrue(batched.batchesRun() * 3 < batched.chunksRun(), "chunks ran in batches: " + batched.chunksRun()
                    + " chunks in " + batched.batchesRun() + " batches");
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            assertTrue(latch.await(60, TimeUnit.SECONDS), "streams fed within 60 s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Everything but the id, which carries the engine's number. */
    static List<String> strip(List<Utterance> finals) {
        return finals.stream().map(u -> u.index() + " " + u.startMs() + "-" + u.endMs() + " " + u.language() + " "
                + u.text() + " " + u.tokens()).toList();
    }

    @Test
    void opensThroughTheServiceLoader() throws Exception {
        try (SpeechEngine e = SpeechEngines.open(options(TestModelVariant.EN).build())) {
            assertEquals("nemotron", e.name());
            Recorder r = transcribe(e, StreamSpec.file("auto", Acceleration.NONE, "sl"), ENGLISH.samples(), 16000);
            assertMatches(ENGLISH, "auto", r);
        }
    }
}
