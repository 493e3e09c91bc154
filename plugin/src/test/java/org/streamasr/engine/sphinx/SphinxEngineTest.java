package org.streamasr.engine.sphinx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streamasr.engine.Acceleration;
import org.streamasr.engine.EngineConfig;
import org.streamasr.engine.ModelContractException;
import org.streamasr.engine.RecognitionStream;
import org.streamasr.engine.SpeechEngine;
import org.streamasr.engine.SpeechEngines;
import org.streamasr.engine.StreamSpec;
import org.streamasr.engine.UnsupportedSettingException;
import org.streamasr.engine.Utterance;
import org.streamasr.testing.LeakCheckExtension;
import org.streamasr.testing.RecordingListener;
import org.streamasr.testing.WordErrorRate;

/** The sphinx engine on the LibriVox clips of pocketsphinx-testdata, against pocketsphinx_continuous. */
class SphinxEngineTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    /** pocketsphinx_continuous's default -vad_postspeech (50 frames), so both segment the audio alike. */
    private static final EngineConfig OPTIONS = EngineConfig.builder().engine("sphinx")
            .endpointTrailingSilence(Duration.ofMillis(500)).build();
    private static SpeechEngine engine;
    private static Map<String, String> refs;
    private static Map<String, String> offline;

    @TempDir
    Path tmp;

    @BeforeAll
    static void open() throws Exception {
        LeakCheckExtension.track("sphinx decoders", SphinxEngine::openDecoders);
        refs = LibriVox.references();
        offline = LibriVox.continuous(new ArrayList<>(refs.keySet()));
        engine = SpeechEngines.open(OPTIONS);
    }

    @AfterAll
    static void close() {
        if (engine != null) engine.close();
    }

    @Test
    void wordErrorRateIsWithinTenPercentOfPocketsphinxContinuous() throws Exception {
        Map<String, RecordingListener> results = new LinkedHashMap<>();
        List<Thread> producers = new ArrayList<>();
        for (String id : refs.keySet()) {
            RecordingListener l = new RecordingListener();
            results.put(id, l);
            RecognitionStream s = engine.openStream(StreamSpec.file("auto", null, "clip-" + id), l);
            float[] x = LibriVox.samples(id);
            Thread t = new Thread(() -> {
                try (s) {
                    for (int at = 0; at < x.length; at += 4_000) s.acceptAwaiting(x, at, Math.min(4_000, x.length - at));
                    s.finish();
                    l.awaitFinished(TIMEOUT);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "test-producer-" + id);
            t.start();
            producers.add(t);
        }
        for (Thread t : producers) t.join(TIMEOUT.toMillis());
        Map<String, String> ours = new LinkedHashMap<>();
        double meanOurs = 0, meanTheirs = 0;
        for (String id : refs.keySet()) {
            RecordingListener l = results.get(id);
            assertTrue(l.finished(), id + " finished");
            ours.put(id, l.finalText());
            WordErrorRate.Score a = WordErrorRate.score(refs.get(id), ours.get(id));
            WordErrorRate.Score b = WordErrorRate.score(refs.get(id), offline.get(id));
            meanOurs += a.rate() / refs.size();
            meanTheirs += b.rate() / refs.size();
            System.out.printf("%s  sphinx engine WER %.3f: %s%n      continuous    WER %.3f: %s%n", id, a.rate(),
                    ours.get(id), b.rate(), offline.get(id));
        }
        double werOurs = WordErrorRate.score(refs, ours).rate();
        double werTheirs = WordErrorRate.score(refs, offline).rate();
        double scliteOurs = WordErrorRate.sclite(refs, ours, tmp);
        double scliteTheirs = WordErrorRate.sclite(refs, offline, tmp);
        System.out.printf("LibriVox x5 pooled WER: sphinx engine %.4f (sclite %.4f), pocketsphinx_continuous %.4f (sclite %.4f); "
                + "mean per clip %.4f vs %.4f%n", werOurs, scliteOurs, werTheirs, scliteTheirs, meanOurs, meanTheirs);
        if (scliteOurs >= 0) {
            assertEquals(scliteOurs, werOurs, 0.0006, "our WER agrees with sclite");
            assertEquals(scliteTheirs, werTheirs, 0.0006, "our WER agrees with sclite");
        }
        assertTrue(werOurs <= werTheirs * 1.10, "WER " + werOurs + " vs pocketsphinx_continuous " + werTheirs);
        assertTrue(werTheirs > 0.2 && werTheirs < 0.6, "baseline near the documented 0.40: " + werTheirs);
    }

    @Test
    void liveStreamSendsPartialsBeforeFinalsAndMatchesTheOfflineResult() throws Exception {
        for (String id : List.of("0880", "0930")) {
            RecordingListener l = new RecordingListener();
            float[] x = LibriVox.samples(id);
            try (RecognitionStream s = engine.openStream(StreamSpec.live("en-US", Acceleration.HIGH, "live-" + id), l)) {
                for (int at = 0; at < x.length; at += 320) assertTrue(s.accept(x, at, Math.min(320, x.length - at)));
                s.finish();
                l.awaitFinished(TIMEOUT);
            }
            List<RecordingListener.Event> events = l.events();
            assertFalse(l.finals().isEmpty(), id + ": a final");
            assertEquals(offline.get(id), l.finalText(), id + ": final equals pocketsphinx_continuous");
            // per utterance: partials, then exactly one final with the same id; ids and indices unique and in order
            List<String> closed = new ArrayList<>();
            int partialsBeforeFinal = 0;
            for (RecordingListener.Event e : events) {
                if (e.kind().equals("partial")) {
                    assertFalse(closed.contains(e.utterance().id()), "partial after its final");
                    partialsBeforeFinal++;
                } else if (e.kind().equals("final")) {
                    assertEquals(closed.size(), e.utterance().index());
                    closed.add(e.utterance().id());
                    assertEquals("en-US", e.utterance().language());
                }
            }
            assertTrue(partialsBeforeFinal > 0, id + ": partials arrived before the final");
            assertEquals("finished", events.get(events.size() - 1).kind());
            Utterance first = l.finals().get(0);
            assertEquals(first.id(), l.partials().get(0).id());
        }
    }

    @Test
    void timesAreOnTheStreamClock() throws Exception {
        float[] clip = LibriVox.samples("0880");
        float[] x = new float[32_000 + clip.length + 16_000];
        System.arraycopy(clip, 0, x, 32_000, clip.length);
        RecordingListener l = new RecordingListener();
        try (RecognitionStream s = engine.openStream(StreamSpec.file(null, null, "times"), l)) {
            s.acceptAwaiting(x, 0, x.length);
            s.finish();
            l.awaitFinished(TIMEOUT);
        }
        Utterance u = l.finals().get(0);
        System.out.println("padded 0880: " + u);
        // the VAD puts the speech of this clip 0.2 s in (SileroVadModelTest); the words must say so too
        assertTrue(u.startMs() >= 2_000 && u.startMs() <= 2_600, "start " + u.startMs());
        assertTrue(u.endMs() > 4_500 && u.endMs() <= x.length / 16, "end " + u.endMs());
        assertEquals(WordErrorRate.words(u.text()), u.tokens().stream().map(t -> t.text()).toList());
        long prev = 0;
        for (var t : u.tokens()) {
            assertTrue(t.startMs() >= prev && t.startMs() >= u.startMs() && t.startMs() < u.endMs(), "token " + t);
            prev = t.startMs();
        }
    }

    @Test
    void longSpeechIsCutAtMaxUtterance() throws Exception {
        try (SpeechEngine e = SphinxEngine.open(OPTIONS.toBuilder().maxUtterance(Duration.ofSeconds(2)).build())) {
            RecordingListener l = new RecordingListener();
            float[] x = LibriVox.samples("0870");
            try (RecognitionStream s = e.openStream(StreamSpec.file(null, null, "long"), l)) {
                s.acceptAwaiting(x, 0, x.length);
                s.finish();
                l.awaitFinished(TIMEOUT);
            }
            List<Utterance> finals = l.finals();
            System.out.println("0870 cut at 2 s: " + finals.stream().map(Utterance::text).toList());
            assertTrue(finals.size() >= 3, "7 s of speech in pieces of at most 2 s: " + finals.size());
            for (int i = 0; i < finals.size(); i++) {
                assertEquals(i, finals.get(i).index());
                assertTrue(finals.get(i).endMs() - finals.get(i).startMs() <= 2_200, finals.get(i).toString());
            }
            assertTrue(WordErrorRate.score(refs.get("0870"), l.finalText()).rate() < 0.7, l.finalText());
        }
    }

    @Test
    void languagesAndAccelerations() throws Exception {
        assertEquals(java.util.Set.of("auto", "en-US"), engine.languages());
        assertEquals(java.util.EnumSet.allOf(Acceleration.class), engine.accelerations());
        UnsupportedSettingException e = assertThrows(UnsupportedSettingException.class,
                () -> engine.openStream(StreamSpec.live("de-DE", null, "x"), new RecordingListener()));
        assertEquals("language", e.setting());
        assertEquals(List.of("auto", "en-US"), e.allowed());
        assertTrue(e.getMessage().contains("auto, en-US"), e.getMessage());
        assertThrows(UnsupportedSettingException.class,
                () -> engine.openStream(StreamSpec.live("klingon", null, "x"), new RecordingListener()));
        for (Acceleration a : Acceleration.values()) {
            engine.openStream(StreamSpec.live("en-us", a, "x"), new RecordingListener()).close();
        }
    }

    @Test
    void liveStreamsDropTheOldestAudioWhenBehindAndStillFinish() throws Exception {
        try (SpeechEngine small = SphinxEngine.open(OPTIONS.toBuilder().streamBuffer(Duration.ofMillis(500))
                .extra("sphinx.workers", "1").build())) {
            RecordingListener l = new RecordingListener();
            float[] x = LibriVox.samples("0870");
            boolean anyRefused = false;
            RecognitionStream s = small.openStream(StreamSpec.live(null, null, "slow"), l);
            for (int at = 0; at < x.length; at += 320) anyRefused |= !s.accept(x, at, Math.min(320, x.length - at));
            assertTrue(s.pendingSamples() <= 8_000, "bounded: " + s.pendingSamples());
            s.finish();
            l.awaitFinished(TIMEOUT);
            s.close();
            assertTrue(anyRefused, "accept reported the drop");
            assertTrue(((SphinxStream) s).droppedSamples() > 0);
            assertTrue(((SphinxEngine) small).drops().count("stream-buffer-full") > 0);
            assertTrue(l.events().stream().noneMatch(ev -> ev.kind().equals("error")));
        }
    }

    @Test
    void fileStreamsWaitForRoomInsteadOfDropping() throws Exception {
        try (SpeechEngine small = SphinxEngine.open(OPTIONS.toBuilder().streamBuffer(Duration.ofMillis(300)).build())) {
            RecordingListener l = new RecordingListener();
            float[] x = LibriVox.samples("0930");
            try (RecognitionStream s = small.openStream(StreamSpec.file(null, null, "file"), l)) {
                s.acceptAwaiting(x, 0, x.length);
                s.finish();
                l.awaitFinished(TIMEOUT);
                assertEquals(0, ((SphinxStream) s).droppedSamples());
            }
            assertEquals(offline.get("0930"), l.finalText());
        }
    }

    @Test
    void closingStreamsAndTheEngineFreesEveryDecoder() throws Exception {
        int before = SphinxEngine.openDecoders();
        SphinxEngine e = SphinxEngine.open(OPTIONS);
        float[] x = LibriVox.samples("0880");
        RecordingListener abandoned = new RecordingListener();
        RecognitionStream a = e.openStream(StreamSpec.live(null, null, "a"), abandoned);
        a.accept(x, 0, x.length);
        RecognitionStream b = e.openStream(StreamSpec.live(null, null, "b"), new RecordingListener());
        b.accept(x, 0, 16_000);
        RecordingListener.await(() -> SphinxEngine.openDecoders() > before, TIMEOUT, "a decoder to open");
        a.close();
        a.close();
        e.close();
        assertEquals(before, SphinxEngine.openDecoders());
        assertEquals(0, e.openStreams());
        assertFalse(abandoned.finished(), "close abandons without flushing");
        assertThrows(IllegalStateException.class, () -> e.openStream(StreamSpec.live(null, null, "late"), new RecordingListener()));
        assertFalse(b.accept(x, 0, 100), "audio after close is dropped");
    }

    @Test
    void streamsBeyondMaxStreamsFailWithAClearError() throws Exception {
        try (SphinxEngine e = SphinxEngine.open(OPTIONS.toBuilder().extra("sphinx.max-streams", "1").build())) {
            float[] x = LibriVox.samples("0880");
            RecordingListener first = new RecordingListener(), second = new RecordingListener();
            RecognitionStream a = e.openStream(StreamSpec.live(null, null, "first"), first);
            a.accept(x, 0, 16_000);
            RecordingListener.await(() -> SphinxEngine.openDecoders() > 0 && e.failures() == 0 && a.pendingSamples() < 16_000,
                    TIMEOUT, "the first stream's decoder");
            RecognitionStream b = e.openStream(StreamSpec.live(null, null, "second"), second);
            b.accept(x, 0, 16_000);
            second.awaitFinished(TIMEOUT);
            RecordingListener.Event error = second.events().get(0);
            assertEquals("error", error.kind());
            assertTrue(error.error().getMessage().contains("max-streams"), error.error().getMessage());
            assertEquals(1, e.failures());
            b.close();
            a.accept(x, 16_000, x.length - 16_000);
            a.finish();
            first.awaitFinished(TIMEOUT);
            assertEquals(offline.get("0880"), first.finalText());
            a.close();
        }
    }

    @Test
    void finishWithoutAudioEndsAtOnce() throws Exception {
        RecordingListener l = new RecordingListener();
        try (RecognitionStream s = engine.openStream(StreamSpec.live(null, null, "empty"), l)) {
            s.finish();
            s.finish();
            l.awaitFinished(TIMEOUT);
        }
        assertEquals(List.of("finished"), l.events().stream().map(RecordingListener.Event::kind).toList());
    }

    @Test
    void missingModelFilesNameThePackagesToInstall() {
        ModelContractException e = assertThrows(ModelContractException.class, () -> SphinxEngine.open(
                OPTIONS.toBuilder().extra("sphinx.lm", tmp.resolve("none.lm.bin").toString()).build()));
        assertTrue(e.getMessage().contains("libpocketsphinx3 pocketsphinx-en-us"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> SphinxEngine.open(OPTIONS.toBuilder().extra("sphinx.workers", "-2").build()));
    }

    @Test
    void registeredAsTheSphinxProvider() {
        assertTrue(SpeechEngines.available().contains("sphinx"));
        assertInstanceOf(SphinxEngine.class, engine);
    }
}
