package org.streamasr.stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.streamasr.runtime.DistinctErrorLog;
import org.streamasr.engine.EngineConfig;
import org.streamasr.media.CallHandle;
import org.streamasr.media.CallRejectedException;
import org.streamasr.media.CallSpec;
import org.streamasr.media.MediaMetrics;
import org.streamasr.media.ParticipantAudio;
import org.streamasr.media.ParticipantSpec;
import org.streamasr.media.PcmFrame;
import org.streamasr.media.TranscriptEvent;
import org.streamasr.media.TranscriptListener;
import org.streamasr.testing.ScriptedEngine;

class CallRegistryTest {
    private static final Duration WAIT = Duration.ofSeconds(5);

    private final ScriptedEngine engine = new ScriptedEngine();
    private final MediaMetrics media = new MediaMetrics();
    private final DistinctErrorLog errors = new DistinctErrorLog();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(
            r -> new Thread(r, "test-scheduler"));
    private final ExecutorService events = Executors.newFixedThreadPool(2, r -> new Thread(r, "test-events"));
    private final AtomicLong fakeNanos = new AtomicLong(1_000_000_000L);
    private final List<String> lifecycle = new CopyOnWriteArrayList<>();
    private CallRegistry registry;

    private CallRegistry registry(CallsConfig config) {
        CallEvents recorder = new CallEvents() {
            @Override
            public void callStarted(CallSession call) {
                lifecycle.add("started " + call.id());
            }

            @Override
            public void callFailed(CallSession call, String stage, Throwable error) {
                lifecycle.add("failed " + call.id() + " " + stage);
            }

            @Override
            public void callEnded(CallSession call, String reason, Duration duration) {
                lifecycle.add("ended " + call.id() + " " + reason);
            }

            @Override
            public void streamOpened(CallSession call, String participantId) {
                lifecycle.add("opened " + call.id() + "/" + participantId);
            }

            @Override
            public void streamClosed(CallSession call, String participantId, long audioMillis, boolean flushed) {
                lifecycle.add("closed " + call.id() + "/" + participantId + " flushed=" + flushed);
            }
        };
        EngineCatalog catalog = new EngineCatalog(engine, EngineConfig.builder().engine("scripted").build(),
                java.util.Map.of(), false);
        registry = new CallRegistry(config, catalog, media, recorder, scheduler, events, errors,
                java.time.Clock.systemUTC(), fakeNanos::get);
        return registry;
    }

    private CallRegistry registry() {
        return registry(CallsConfig.defaults().withIdleTimeout(Duration.ofSeconds(1)));
    }

    @AfterEach
    void stop() throws Exception {
        if (registry != null) {
            registry.shutdown("test").get(5, TimeUnit.SECONDS);
            registry.close();
        }
        scheduler.shutdownNow();
        events.shutdownNow();
        assertTrue(events.awaitTermination(5, TimeUnit.SECONDS));
    }

    /** Records transcripts and call ends, in order. */
    static final class Recorder implements TranscriptListener {
        final List<Object> seen = new CopyOnWriteArrayList<>();

        @Override
        public void onTranscript(TranscriptEvent event) {
            seen.add(event);
        }

        @Override
        public void onParticipantEnded(String callId, String participantId) {
            seen.add("participant-ended " + participantId);
        }

        @Override
        public void onCallEnded(String callId, String reason) {
            seen.add("ended " + reason);
        }

        List<TranscriptEvent> events() {
            return seen.stream().filter(TranscriptEvent.class::isInstance).map(TranscriptEvent.class::cast).toList();
        }
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for " + what);
            Thread.sleep(5);
        }
    }

    private static short[] samples(int n, short value) {
        short[] s = new short[n];
        java.util.Arrays.fill(s, value);
        return s;
    }

    @Test
    void framesReachTheEngineAsFloats() throws Exception {
        CallHandle call = registry().openCall(CallSpec.of("c1", "test"), TranscriptListener.NONE);
        ParticipantAudio alice = call.openParticipant(ParticipantSpec.of("alice"));
        alice.push(PcmFrame.audio(new short[] {16384, -16384, 0, 32767}, 0));
        float[] audio = engine.stream("c1", "alice").audio();
        assertArrayEquals(new float[] {0.5f, -0.5f, 0f, 32767 / 32768f}, audio, 1e-6f);
        call.close();
    }

    @Test
    void gapsAreFilledUpToTheLimitThenSkippedAndTimesStayOnTheMediaClock() throws Exception {
        CallsConfig config = new CallsConfig(10, Duration.ofSeconds(60), Duration.ofMillis(100), 64,
                Duration.ofSeconds(5), Duration.ZERO, Duration.ZERO);
        Recorder rec = new Recorder();
        CallHandle call = registry(config).openCall(CallSpec.of("c1", "test"), rec);
        ParticipantAudio alice = call.openParticipant(ParticipantSpec.of("alice"));
        alice.push(PcmFrame.audio(samples(320, (short) 1000), 0));
        alice.push(PcmFrame.audio(samples(320, (short) 1000), 320 + 800));       // 50 ms gap: filled
        alice.push(PcmFrame.audio(samples(320, (short) 1000), 1440 + 16_000));   // 1 s gap: 100 ms filled
        ScriptedEngine.Stream s = engine.stream("c1", "alice");
        assertEquals(320 + 800 + 320 + 1600 + 320, s.acceptedSamples());
        float[] audio = s.audio();
        assertEquals(0f, audio[320 + 400]);
        assertEquals(1000 / 32768f, audio[320 + 800], 1e-6f);
        // Stream clock 190 ms is the third frame's first sample: media time (1440 + 16000) / 16 = 1090 ms.
        s.fin("hello world", 0, 190);
        await(() -> rec.events().size() == 1, "the final");
        TranscriptEvent e = rec.events().get(0);
        assertEquals("hello", e.words().get(0).word());
        assertEquals(0, e.words().get(0).startMs());
        assertEquals(1090, e.words().get(1).startMs());
        assertEquals(0, e.startMs());
        assertEquals((1440 + 16_000 + 320) / 16, e.endMs());
        call.close();
    }

    @Test
    void lateFramesAreDroppedAndOverlapsTrimmedAndCounted() throws Exception {
        CallHandle call = registry().openCall(CallSpec.of("c1", "test"), TranscriptListener.NONE);
        ParticipantAudio alice = call.openParticipant(ParticipantSpec.of("alice"));
        alice.push(PcmFrame.audio(samples(320, (short) 1), 0));
        alice.push(PcmFrame.audio(samples(320, (short) 2), 0));      // a duplicate: dropped
        alice.push(PcmFrame.audio(samples(320, (short) 3), 160));    // half overlaps: 160 new samples
        ScriptedEngine.Stream s = engine.stream("c1", "alice");
        assertEquals(480, s.acceptedSamples());
        assertEquals(3 / 32768f, s.audio()[479], 1e-7f);
        assertEquals(1, media.drops().get("calls").get("late-frame"));
        call.close();
    }

    @Test
    void eventsAreNumberedNamedDeduplicatedAndWordTimed() throws Exception {
        Recorder rec = new Recorder();
        CallHandle call = registry().openCall(CallSpec.of("c1", "test"), rec);
        call.openParticipant(new ParticipantSpec("alice", "Alice", null)).push(PcmFrame.audio(samples(16000, (short) 5), 0));
        ScriptedEngine.Stream s = engine.stream("c1", "alice");
        s.partial("");                 // nothing to show
        s.partial("good", 100);
        s.partial("good", 100);        // the same again: not repeated
        s.partial("good morning", 100, 400);
        s.fin("good morning", 100, 400);
        s.fin("");                     // an empty utterance nobody saw
        await(() -> rec.events().size() == 3, "three events");
        List<TranscriptEvent> ev = rec.events();
        assertEquals(List.of(1L, 2L, 3L), ev.stream().map(TranscriptEvent::seq).toList());
        assertEquals(List.of(false, false, true), ev.stream().map(TranscriptEvent::isFinal).toList());
        assertEquals("Alice", ev.get(2).participantName());
        assertEquals(ev.get(0).utteranceId(), ev.get(2).utteranceId());
        assertEquals(List.of(new TranscriptEvent.WordTiming("good", 100, 400),
                new TranscriptEvent.WordTiming("morning", 400, 1000)), ev.get(2).words());
        call.close();
    }

    @Test
    void closingTheLastHandleFlushesFinalsBeforeTheCallEnds() throws Exception {
        Recorder rec = new Recorder();
        CallHandle call = registry().openCall(CallSpec.of("c1", "test"), rec);
        call.openParticipant(ParticipantSpec.of("alice")).push(PcmFrame.audio(samples(3200, (short) 5), 0));
        ScriptedEngine.Stream s = engine.stream("c1", "alice");
        s.partial("unfinished thought");
        CallSession session = registry.find("c1").orElseThrow();
        call.close();
        assertEquals("closed", session.ended().get(5, TimeUnit.SECONDS));
        List<Object> seen = rec.seen;
        assertEquals(3, seen.size(), seen.toString());
        assertFalse(((TranscriptEvent) seen.get(0)).isFinal());
        assertTrue(((TranscriptEvent) seen.get(1)).isFinal());
        assertEquals("unfinished thought", ((TranscriptEvent) seen.get(1)).text());
        assertEquals("ended closed", seen.get(2));
        assertTrue(s.isClosed());
        assertTrue(registry.find("c1").isEmpty());
        assertEquals(List.of("started c1", "opened c1/alice", "closed c1/alice flushed=true", "ended c1 closed"),
                lifecycle);
    }

    @Test
    void aSourceDrainsBeforeTheParticipantsFinish() throws Exception {
        CallHandle call = registry().openCall(CallSpec.of("c1", "test"), TranscriptListener.NONE);
        ParticipantAudio alice = call.openParticipant(ParticipantSpec.of("alice"));
        alice.push(PcmFrame.audio(samples(320, (short) 1), 0));
        ScriptedEngine.Stream s = engine.stream("c1", "alice");
        CallSession session = registry.find("c1").orElseThrow();
        CompletableFuture<Void> drained = new CompletableFuture<>();
        CompletableFuture<Void> failing = CompletableFuture.failedFuture(new IllegalStateException("port gone"));
        session.drainOnEnd(() -> drained);
        session.drainOnEnd(() -> failing);   // a failed drain is recorded; the others are still waited for
        CompletableFuture<String> ended = session.end("deleted");
        // what the source still held when the call was ended reaches the engine before its end
        alice.push(PcmFrame.audio(samples(320, (short) 1), 320));
        assertFalse(s.isFinished());
        assertEquals(640, s.acceptedSamples());
        drained.complete(null);
        assertEquals("deleted", ended.get(5, TimeUnit.SECONDS));
        assertTrue(s.isFinished());
        assertEquals(null, media.drops().get("calls").get("after-close"));
        call.close();
    }

    @Test
    void idleCallsEnd() throws Exception {
        CallHandle call = registry().openCall(CallSpec.of("c1", "test"), TranscriptListener.NONE);
        ParticipantAudio alice = call.openParticipant(ParticipantSpec.of("alice"));
        CallSession session = registry.find("c1").orElseThrow();
        fakeNanos.addAndGet(Duration.ofMillis(900).toNanos());
        alice.push(PcmFrame.audio(samples(320, (short) 1), 0));   // activity resets the idle timer
        fakeNanos.addAndGet(Duration.ofMillis(900).toNanos());
        assertTrue(session.isLive());
        fakeNanos.addAndGet(Duration.ofMillis(200).toNanos());
        assertEquals("idle", session.ended().get(5, TimeUnit.SECONDS));
        alice.push(PcmFrame.audio(samples(320, (short) 1), 320));   // after the end: counted, no exception
        assertEquals(1, media.drops().get("calls").get("after-close"));
        call.close();
    }

    @Test
    void aFailingCallEndsCleanlyAndOthersCarryOn() throws Exception {
        registry();
        Recorder recA = new Recorder();
        Recorder recB = new Recorder();
        CallHandle a = registry.openCall(CallSpec.of("a", "test"), recA);
        CallHandle b = registry.openCall(CallSpec.of("b", "test"), recB);
        CallHandle c = registry.openCall(CallSpec.of("c", "test"), TranscriptListener.NONE);
        a.openParticipant(ParticipantSpec.of("p")).push(PcmFrame.audio(samples(320, (short) 1), 0));
        b.openParticipant(ParticipantSpec.of("p")).push(PcmFrame.audio(samples(320, (short) 1), 0));
        c.openParticipant(ParticipantSpec.of("p")).push(PcmFrame.audio(samples(320, (short) 1), 0));
        CallSession sessionA = registry.find("a").orElseThrow();
        engine.stream("a", "p").fail("model run failed");
        engine.stream("c", "p").fail("model run failed");
        assertEquals("failed", sessionA.ended().get(5, TimeUnit.SECONDS));
        engine.stream("b", "p").fin("still here");
        await(() -> recB.events().size() == 1, "call b's final");
        assertTrue(registry.find("b").orElseThrow().isLive());
        assertEquals("ended failed", recA.seen.get(recA.seen.size() - 1));
        assertTrue(engine.stream("a", "p").isClosed());
        // One distinct error, logged once, counted for both calls.
        await(() -> errors.total() == 2, "both failures counted");
        assertEquals(1, errors.snapshot().size());
        a.close();
        b.close();
        c.close();
    }

    @Test
    void aListenerThatThrowsEndsItsCall() throws Exception {
        registry();
        TranscriptListener broken = event -> {
            throw new IllegalStateException("socket gone");
        };
        Recorder other = new Recorder();
        CallHandle a = registry.openCall(CallSpec.of("a", "test"), broken);
        registry.find("a").orElseThrow().addListener(other);
        a.openParticipant(ParticipantSpec.of("p")).push(PcmFrame.audio(samples(320, (short) 1), 0));
        CallSession sessionA = registry.find("a").orElseThrow();
        engine.stream("a", "p").fin("first");
        assertEquals("failed", sessionA.ended().get(5, TimeUnit.SECONDS));
        assertTrue(lifecycle.contains("failed a transcript-listener"), lifecycle.toString());
        assertEquals("first", other.events().get(0).text());
        assertEquals("ended failed", other.seen.get(other.seen.size() - 1));
        a.close();
    }

    @Test
    void asecondOpenJoinsAndTheCallEndsWithItsLastHandle() throws Exception {
        registry();
        Recorder one = new Recorder();
        Recorder two = new Recorder();
        CallHandle h1 = registry.openCall(CallSpec.of("room", "vosk"), one);
        CallHandle h2 = registry.openCall(CallSpec.of("room", "vosk"), two);
        h1.openParticipant(ParticipantSpec.of("alice")).push(PcmFrame.audio(samples(320, (short) 1), 0));
        h2.openParticipant(ParticipantSpec.of("bob")).push(PcmFrame.audio(samples(320, (short) 1), 0));
        assertEquals(1, registry.size());
        engine.stream("room", "alice").fin("from alice");
        await(() -> one.events().size() == 1 && two.events().size() == 1, "both listeners get alice's final");
        engine.stream("room", "bob").partial("bob speaking");
        h2.close();   // ends bob's stream (flushing his final), keeps the call
        await(() -> engine.stream("room", "bob").isClosed(), "bob's stream closed");
        await(() -> one.seen.contains("participant-ended bob"), "participant end");
        assertEquals(3, one.events().size());
        assertEquals("bob speaking", one.events().get(2).text());
        assertTrue(one.events().get(2).isFinal());
        assertTrue(registry.find("room").orElseThrow().isLive());
        h1.close();
        await(() -> registry.size() == 0, "call gone");
    }

    @Test
    void badSettingsAndCapacityAreRefused() throws Exception {
        registry(CallsConfig.defaults().withMaxCalls(1));
        assertThrows(CallRejectedException.class,
                () -> registry.openCall(new CallSpec("x", "test", "xx-XX", java.util.Map.of()), TranscriptListener.NONE));
        assertThrows(CallRejectedException.class,
                () -> registry.openCall(CallSpec.of("bad/id", "test"), TranscriptListener.NONE));
        CallHandle h = registry.openCall(new CallSpec("ok", "test", "de", java.util.Map.of()), TranscriptListener.NONE);
        assertEquals("de-DE", registry.find("ok").orElseThrow().language());
        CallRejectedException full = assertThrows(CallRejectedException.class,
                () -> registry.openCall(CallSpec.of("another", "test"), TranscriptListener.NONE));
        assertInstanceOf(CallRejections.AtCapacity.class, full);
        assertThrows(CallRejections.AlreadyExists.class,
                () -> registry.create(new CallRequest("ok", "api", null, null, null, null, null)));
        assertThrows(CallRejectedException.class, () -> registry.create(new CallRequest(null, "api", "no-such-engine",
                null, null, null, null)));
        h.close();
    }

    @Test
    void partialsGiveWayWhenDeliveryFallsBehindButFinalsArrive() throws Exception {
        CallsConfig config = new CallsConfig(10, Duration.ofSeconds(60), Duration.ofSeconds(1), 16,
                Duration.ofSeconds(5), Duration.ZERO, Duration.ZERO);
        CountDownLatch release = new CountDownLatch(1);
        Recorder rec = new Recorder();
        TranscriptListener slow = event -> {
            try {
                release.await(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            rec.onTranscript(event);
        };
        CallHandle call = registry(config).openCall(CallSpec.of("c1", "test"), slow);
        call.openParticipant(ParticipantSpec.of("p")).push(PcmFrame.audio(samples(320, (short) 1), 0));
        ScriptedEngine.Stream s = engine.stream("c1", "p");
        for (int i = 0; i < 40; i++) s.partial("word " + i);
        s.fin("the end");
        release.countDown();
        await(() -> !rec.events().isEmpty() && rec.events().get(rec.events().size() - 1).isFinal(), "the final");
        assertEquals("the end", rec.events().get(rec.events().size() - 1).text());
        assertTrue(media.drops().get("calls").get("event-backlog") > 0);
        assertTrue(registry.find("c1").orElseThrow().isLive());
        List<Long> seqs = rec.events().stream().map(TranscriptEvent::seq).toList();
        for (int i = 1; i < seqs.size(); i++) assertEquals(seqs.get(i - 1) + 1, seqs.get(i));
        assertNotEquals(41, rec.events().size());
        call.close();
    }
}
