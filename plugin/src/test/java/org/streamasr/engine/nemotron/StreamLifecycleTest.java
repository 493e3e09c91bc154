package org.streamasr.engine.nemotron;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.streamasr.engine.Acceleration;
import org.streamasr.engine.RecognitionStream;
import org.streamasr.engine.StreamSpec;
import org.streamasr.engine.TimedToken;
import org.streamasr.engine.Utterance;
import org.streamasr.tools.testmodel.TestModelVariant;
import org.streamasr.tools.testmodel.ToneScript;

/** Live back-pressure, utterance limits, closing early, misbehaving listeners. */
class StreamLifecycleTest {
    @BeforeAll
    static void track() {
        NemotronEngineTest.trackLeaks();
    }

    @Test
    void aLiveStreamThatFallsBehindDropsTheOldestAudioAndKeepsItsClock() throws Exception {
        ToneScript script = ToneScript.builder(TestModelVariant.EN).leadingSilenceMillis(4000).say("en-US", "hello world.").build();
        float[] audio = script.samples();
        try (NemotronEngine e = NemotronEngine.open(NemotronEngineTest.options(TestModelVariant.EN)
                .streamBuffer(Duration.ofSeconds(2)).build())) {
            Recorder r = new Recorder();
            try (RecognitionStream s = e.openStream(StreamSpec.live("en-US", Acceleration.REGULAR, "behind"), r)) {
                assertFalse(s.accept(audio, 0, audio.length), "more than the 2 s buffer in one go: the oldest is dropped");
                s.finish();
                r.awaitFinished(Duration.ofSeconds(30));
            }
            assertTrue(e.drops().count("stream-buffer-full") > 0);
            List<Utterance> finals = r.finals();
            assertEquals(List.of("hello world."), r.finalTexts(), "the speech was in the newest 2 s");
            // dropped audio still counts on the stream's clock: the pieces keep their times in the script
            assertEquals(script.expected("en-US").get(0).startMs(), finals.get(0).tokens().stream().map(TimedToken::startMs).toList());
        }
    }

    @Test
    void anUtteranceLongerThanMaxUtteranceIsCut() throws Exception {
        ToneScript script = ToneScript.builder(TestModelVariant.EN)
                .say("en-US", "hello world. this is a test of streaming speech recognition. good morning, world?").build();
        try (NemotronEngine e = NemotronEngine.open(NemotronEngineTest.options(TestModelVariant.EN)
                .maxUtterance(Duration.ofSeconds(1)).build())) {
            Recorder r = NemotronEngineTest.transcribe(e, StreamSpec.file("en-US", Acceleration.FULL, "long"), script.samples(), 3200);
            List<Utterance> finals = r.finals();
            assertTrue(finals.size() >= 4, "cut into pieces of about a second: " + r.finalTexts());
            for (Utterance u : finals) {
                assertTrue(u.endMs() - u.startMs() <= 1000 + 2 * ToneScript.FRAME_MILLIS, u.startMs() + "-" + u.endMs());
            }
            for (int i = 0; i < finals.size(); i++) assertEquals(i, finals.get(i).index());
        }
    }

    @Test
    void closingAStreamEarlyReleasesItWithoutResults() throws Exception {
        float[] audio = ToneScript.of(TestModelVariant.EN, "hello world. this is a test.").samples();
        try (NemotronEngine e = NemotronEngine.open(NemotronEngineTest.options(TestModelVariant.EN).build())) {
            Recorder r = new Recorder();
            RecognitionStream s = e.openStream(StreamSpec.live("en-US", Acceleration.FULL, "early"), r);
            s.accept(audio, 0, audio.length / 2);
            s.close();
            s.close();
            assertFalse(s.accept(audio, 0, 100), "audio after close is refused");
            assertThrows(IllegalStateException.class, () -> s.acceptAwaiting(audio, 0, 100));
            Recorder.await(() -> NemotronEngine.openStreamsInProcess() == 0, Duration.ofSeconds(10), "stream released");
            assertTrue(r.finals().isEmpty());
        }
    }

    @Test
    void closingTheEngineEndsItsStreams() throws Exception {
        float[] audio = ToneScript.of(TestModelVariant.EN, "hello world.").samples();
        NemotronEngine e = NemotronEngine.open(NemotronEngineTest.options(TestModelVariant.EN).build());
        RecognitionStream s = e.openStream(StreamSpec.live("en-US", Acceleration.FULL, "engine-close"), new Recorder());
        s.accept(audio, 0, audio.length);
        e.close();
        assertEquals(0, NemotronEngine.openStreamsInProcess());
        assertThrows(IllegalStateException.class, () -> e.openStream(StreamSpec.live("en-US", Acceleration.FULL, "x"), new Recorder()));
    }

    @Test
    void aThrowingListenerDoesNotStopRecognition() throws Exception {
        ToneScript script = ToneScript.builder(TestModelVariant.EN).say("en-US", "hello world.").say("en-US", "good morning.").build();
        AtomicInteger thrown = new AtomicInteger();
        Recorder r = new Recorder() {
            @Override
            public void onPartial(Utterance partial) {
                thrown.incrementAndGet();
                throw new IllegalStateException("listener bug");
            }
        };
        try (NemotronEngine e = NemotronEngine.open(NemotronEngineTest.options(TestModelVariant.EN).build());
             RecognitionStream s = e.openStream(StreamSpec.file("en-US", Acceleration.REGULAR, "throwing"), r)) {
            float[] audio = script.samples();
            s.acceptAwaiting(audio, 0, audio.length);
            s.finish();
            r.awaitFinished(Duration.ofSeconds(30));
            assertEquals(List.of("hello world.", "good morning."), r.finalTexts());
            assertTrue(thrown.get() > 0);
            assertTrue(e.failures() >= thrown.get());
        }
    }

    @Test
    void pendingSamplesFallToZeroOnceRecognised() throws Exception {
        float[] audio = ToneScript.of(TestModelVariant.EN, "hello world.").samples();
        try (NemotronEngine e = NemotronEngine.open(NemotronEngineTest.options(TestModelVariant.EN).build())) {
            Recorder r = new Recorder();
            try (RecognitionStream s = e.openStream(StreamSpec.file("en-US", Acceleration.REGULAR, "pending"), r)) {
                s.acceptAwaiting(audio, 0, audio.length);
                assertTrue(s.pendingSamples() <= audio.length);
                s.finish();
                r.awaitFinished(Duration.ofSeconds(30));
                assertEquals(0, s.pendingSamples());
            }
        }
    }

    @Test
    void eachModesSessionsLoadOnTheFirstStreamOfThatMode() throws Exception {
        int inProcess = NemotronEngine.openSessionsInProcess();
        try (NemotronEngine e = NemotronEngine.open(NemotronEngineTest.options(TestModelVariant.ML).build())) {
            assertEquals(java.util.EnumSet.allOf(Acceleration.class), e.accelerations(), "four modes checked at start-up");
            assertEquals(java.util.Set.of(), e.loadedAccelerations(), "none loaded");
            assertEquals(0, e.openSessions());
            assertEquals(inProcess, NemotronEngine.openSessionsInProcess());
            try (RecognitionStream full = e.openStream(StreamSpec.live("auto", Acceleration.FULL, "f1"), new Recorder())) {
                assertEquals(java.util.Set.of(Acceleration.FULL), e.loadedAccelerations());
                assertEquals(3, e.openSessions(), "encoder, decoder, joiner of the 80 ms export");
                assertEquals(inProcess + 3, NemotronEngine.openSessionsInProcess());
                try (RecognitionStream again = e.openStream(StreamSpec.live("auto", Acceleration.FULL, "f2"), new Recorder())) {
                    assertEquals(3, e.openSessions(), "a second stream of the mode loads nothing");
                }
                try (RecognitionStream regular = e.openStream(StreamSpec.live("auto", Acceleration.REGULAR, "r"), new Recorder())) {
                    assertEquals(java.util.Set.of(Acceleration.FULL, Acceleration.REGULAR), e.loadedAccelerations());
                    assertEquals(6, e.openSessions());
                    assertEquals(inProcess + 6, NemotronEngine.openSessionsInProcess());
                }
            }
        }
        assertEquals(inProcess, NemotronEngine.openSessionsInProcess(), "closing the engine closes them");
    }
}
