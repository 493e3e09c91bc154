package org.streamasr.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
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
import org.streamasr.media.CallSpec;
import org.streamasr.media.MediaMetrics;
import org.streamasr.media.ParticipantAudio;
import org.streamasr.media.ParticipantSpec;
import org.streamasr.media.PcmFrame;
import org.streamasr.media.TranscriptEvent;
import org.streamasr.media.TranscriptListener;
import org.streamasr.testing.ScriptedEngine;

/**
 * A participant that stops sending (muted in Jitsi, a PBX that stopped RTP) gets its last utterance finalised after
 * asr.calls.participant-idle-finalize, on the registry's injected clock, while the call stays open; when audio
 * resumes, the silence fed meanwhile counts as the start of the pause, whatever the sender's clock did, so times stay
 * on the media clock and never run backwards.
 */
class ParticipantIdleFinalizeTest {
    private static final long SECOND = 1_000_000_000L;
    private static final int SILENCE = 2300 * 16;   // CallsConfig.defaults(): 1.5 s idle, 2.3 s of silence

    private final ScriptedEngine engine = new ScriptedEngine();
    private final MediaMetrics media = new MediaMetrics();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(
            r -> new Thread(r, "test-scheduler"));
    private final ExecutorService events = Executors.newFixedThreadPool(2, r -> new Thread(r, "test-events"));
    private final AtomicLong now = new AtomicLong(100 * SECOND);
    private final Recorder rec = new Recorder();
    private final CallRegistry registry = new CallRegistry(CallsConfig.defaults(),
            new EngineCatalog(engine, EngineConfig.builder().engine("scripted").build(), java.util.Map.of(), false),
            media, CallEvents.NONE, scheduler, events, new DistinctErrorLog(), java.time.Clock.systemUTC(), now::get);

    @AfterEach
    void stop() throws Exception {
        registry.shutdown("test").get(5, TimeUnit.SECONDS);
        registry.close();
        scheduler.shutdownNow();
        events.shutdownNow();
        assertTrue(events.awaitTermination(5, TimeUnit.SECONDS));
    }

    static final class Recorder implements TranscriptListener {
        final List<TranscriptEvent> events = new CopyOnWriteArrayList<>();

        @Override
        public void onTranscript(TranscriptEvent event) {
            events.add(event);
        }
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + 5 * SECOND;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for " + what);
            Thread.sleep(5);
        }
    }

    private static short[] tone(int n) {
        short[] s = new short[n];
        java.util.Arrays.fill(s, (short) 3000);
        return s;
    }

    /** A second of audio from media time 0, then the sender goes quiet for {@code quietNanos} of the clock. */
    private ScriptedEngine.Stream speakThenGoQuiet(ParticipantAudio alice, long quietNanos) {
        alice.push(PcmFrame.audio(tone(16_000), 0));
        ScriptedEngine.Stream s = engine.stream("standup", "alice");
        now.addAndGet(quietNanos);
        registry.finalizeIdleParticipants();
        return s;
    }

    @Test
    void aQuietParticipantGetsSilenceOnceAfterTheIdleTimeAndTheCallStaysOpen() throws Exception {
        CallHandle call = registry.openCall(CallSpec.of("standup", "test"), rec);
        ParticipantAudio alice = call.openParticipant(ParticipantSpec.of("alice"));
        ScriptedEngine.Stream s = speakThenGoQuiet(alice, 1_400_000_000L);
        assertEquals(16_000, s.acceptedSamples(), "1.4 s: not idle yet");

        now.addAndGet(100_000_000L);
        registry.finalizeIdleParticipants();
        assertEquals(16_000 + SILENCE, s.acceptedSamples(), "1.5 s: silence for the engine's endpointing");
        float[] audio = s.audio();
        for (int i = 16_000; i < audio.length; i++) assertEquals(0f, audio[i]);

        now.addAndGet(30 * SECOND);
        registry.finalizeIdleParticipants();
        assertEquals(16_000 + SILENCE, s.acceptedSamples(), "once per pause");
        assertTrue(registry.find("standup").orElseThrow().isLive(), "the call stays open");
        assertEquals(1000, registry.find("standup").orElseThrow().participants().get(0).audioMillis(),
                "audioMs counts the second received, not the silence fed for endpointing");
        assertEquals(1L, media.counters().get("calls.participants.idle-finalized"));
        assertEquals(1000, registry.find("standup").orElseThrow().participants().get(0).audioMillis(),
                "GET /v1/calls counts the audio received, not the silence fed for the final");

        // The engine ends the utterance on that silence: its final ends where the audio ended, not in the silence.
        s.fin("good morning", 100, 500);
        await(() -> rec.events.size() == 1, "the final");
        assertEquals(1000, rec.events.get(0).endMs());
        call.close();
    }

    @Test
    void aSenderWhoseClockRanOnResumesWhereTheMediaClockSays() throws Exception {
        CallHandle call = registry.openCall(CallSpec.of("standup", "test"), rec);
        ParticipantAudio alice = call.openParticipant(ParticipantSpec.of("alice"));
        ScriptedEngine.Stream s = speakThenGoQuiet(alice, 2 * SECOND);
        // Unmuted after 10 s: an RTP or MEDIAJSON timestamp 10 s on. The idle silence stands for the first 2.3 s of
        // the pause, no more silence is fed (max-gap-fill is spent), the rest is skipped.
        alice.push(PcmFrame.audio(tone(320), 16_000 + 160_000));
        assertEquals(16_000 + SILENCE + 320, s.acceptedSamples());
        s.fin("hello again", 100, (16_000 + SILENCE) / 16);
        await(() -> rec.events.size() == 1, "the final");
        TranscriptEvent e = rec.events.get(0);
        assertEquals(100, e.words().get(0).startMs());
        assertEquals(11_000, e.words().get(1).startMs(), "the word after the pause is at its media time");
        assertEquals(11_020, e.endMs());
        call.close();
    }

    @Test
    void silenceTheAdapterSendsForThePauseIsNotFedTwice() throws Exception {
        CallHandle call = registry.openCall(CallSpec.of("standup", "test"), rec);
        ParticipantAudio alice = call.openParticipant(ParticipantSpec.of("alice"));
        ScriptedEngine.Stream s = speakThenGoQuiet(alice, 2 * SECOND);
        // Jitsi's bridge resumes after 3 s and the adapter fills the pause with silence frames before the audio.
        long t = 16_000;
        for (int i = 0; i < 30; i++, t += 1600) alice.push(new PcmFrame(new short[1600], t, PcmFrame.Kind.SILENCE));
        alice.push(PcmFrame.audio(tone(320), t));
        assertEquals(16_000 + 48_000 + 320, s.acceptedSamples(), "3 s of pause in all, 2.3 s of it fed while idle");
        s.fin("hello again", 100, (16_000 + 48_000) / 16);
        await(() -> rec.events.size() == 1, "the final");
        assertEquals(4000, rec.events.get(0).words().get(1).startMs());
        call.close();
    }

    @Test
    void aSenderWhoseClockStoppedResumesRightAfterItsLastAudio() throws Exception {
        CallHandle call = registry.openCall(CallSpec.of("standup", "test"), rec);
        ParticipantAudio alice = call.openParticipant(ParticipantSpec.of("alice"));
        ScriptedEngine.Stream s = speakThenGoQuiet(alice, 2 * SECOND);
        s.fin("good morning", 100, 500);                       // the final the idle silence brought
        alice.push(PcmFrame.audio(tone(16_000), 16_000));      // Jigasi's PCM: no timestamps, the stream goes on
        assertEquals(16_000 + SILENCE + 16_000, s.acceptedSamples());
        s.fin("how are you", (16_000 + SILENCE) / 16 + 100);
        await(() -> rec.events.size() == 2, "two finals");
        TranscriptEvent first = rec.events.get(0), second = rec.events.get(1);
        assertEquals(1000, first.endMs());
        assertEquals(1100, second.words().get(0).startMs(), "the silence fed while idle has no media time of its own");
        assertEquals(2000, second.endMs());
        call.close();
    }

    @Test
    void offWhenSetToZero() throws Exception {
        registry.close();
        CallRegistry off = new CallRegistry(CallsConfig.defaults().withParticipantIdleFinalize(Duration.ZERO, Duration.ofSeconds(2)),
                new EngineCatalog(engine, EngineConfig.builder().engine("scripted").build(), java.util.Map.of(), false),
                media, CallEvents.NONE, scheduler, events, new DistinctErrorLog(), java.time.Clock.systemUTC(), now::get);
        try {
            CallHandle call = off.openCall(CallSpec.of("quiet", "test"), rec);
            call.openParticipant(ParticipantSpec.of("bob")).push(PcmFrame.audio(tone(1600), 0));
            now.addAndGet(60 * SECOND);
            off.finalizeIdleParticipants();
            assertEquals(1600, engine.stream("quiet", "bob").acceptedSamples());
            call.close();
        } finally {
            off.shutdown("test").get(5, TimeUnit.SECONDS);
            off.close();
        }
    }
}
