package org.streamasr.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
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
import org.streamasr.engine.SpeechEngine;
import org.streamasr.engine.SpeechEngines;
import org.streamasr.media.CallHandle;
import org.streamasr.media.CallSpec;
import org.streamasr.media.MediaMetrics;
import org.streamasr.media.ParticipantAudio;
import org.streamasr.media.ParticipantSpec;
import org.streamasr.media.PcmFrame;
import org.streamasr.media.TranscriptEvent;
import org.streamasr.media.adapter.TestAudio;

/**
 * The real sphinx engine behind a participant who stops sending mid-sentence, like a Jitsi participant who mutes
 * (the bridge then sends nothing): once the registry's injected clock is {@code participant-idle-finalize} past the
 * last frame, the sentence becomes final, with no further audio and the call still open; when the participant speaks
 * again, the next utterance follows it on the media clock.
 */
class ParticipantIdleFinalizeSphinxTest {
    private static final long SECOND = 1_000_000_000L;

    private final SpeechEngine sphinx = SpeechEngines.open(EngineConfig.builder().engine("sphinx").build());
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(
            r -> new Thread(r, "test-scheduler"));
    private final ExecutorService events = Executors.newFixedThreadPool(2, r -> new Thread(r, "test-events"));
    private final AtomicLong now = new AtomicLong(100 * SECOND);
    private final CallRegistry registry = new CallRegistry(CallsConfig.defaults(),
            new EngineCatalog(sphinx, EngineConfig.builder().engine("sphinx").build(), java.util.Map.of(), false),
            new MediaMetrics(), CallEvents.NONE, scheduler, events, new DistinctErrorLog(), java.time.Clock.systemUTC(),
            now::get);

    @AfterEach
    void stop() throws Exception {
        registry.shutdown("test").get(30, TimeUnit.SECONDS);
        registry.close();
        scheduler.shutdownNow();
        events.shutdownNow();
        assertTrue(events.awaitTermination(5, TimeUnit.SECONDS));
        sphinx.close();
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + 60 * SECOND;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for " + what);
            Thread.sleep(10);
        }
    }

    /** Pushes {@code audio} in 20 ms frames from media sample {@code at}; returns the media sample after it. */
    private static long push(ParticipantAudio p, short[] audio, long at) {
        for (int off = 0; off < audio.length; off += 320) {
            short[] frame = Arrays.copyOfRange(audio, off, Math.min(audio.length, off + 320));
            p.push(PcmFrame.audio(frame, at + off));
        }
        return at + audio.length;
    }

    /** The clip up to the end of its last word (its trailing pause cut off): it ends mid-speech for the VAD. */
    private static short[] untilLastWord(short[] clip) {
        int peak = 0;
        for (short s : clip) peak = Math.max(peak, Math.abs(s));
        int end = clip.length;
        while (end > 0 && Math.abs(clip[end - 1]) < peak / 8) end--;
        return Arrays.copyOf(clip, end);
    }

    @Test
    void aSentenceCutOffByMutingBecomesFinalAfterTheIdleTime() throws Exception {
        CallSessionTestRecorder rec = new CallSessionTestRecorder();
        CallHandle call = registry.openCall(CallSpec.of("meeting", "jitsi"), rec);
        ParticipantAudio alice = call.openParticipant(ParticipantSpec.of("alice"));
        short[] first = untilLastWord(TestAudio.clip("sense_and_sensibility_01_austen_64kb-0880.wav"));
        long at = push(alice, first, 0);
        CallSession session = registry.find("meeting").orElseThrow();
        // The engine has heard everything but the last fraction of a piece, and is still in the sentence.
        await(() -> session.pendingSamples() < 1600 && rec.partials().stream()
                .anyMatch(e -> e.endMs() >= first.length / 16 - 700), "partials up to the end of the audio");
        assertEquals(List.of(), rec.finals(), "no final without a pause: " + rec.events);

        now.addAndGet(1_400_000_000L);
        registry.finalizeIdleParticipants();
        assertEquals(List.of(), rec.finals(), "1.4 s after the last frame: not yet");
        now.addAndGet(100_000_000L);
        registry.finalizeIdleParticipants();
        await(() -> !rec.finals().isEmpty(), "the final after 1.5 s of nothing");
        TranscriptEvent fin = rec.finals().get(0);
        System.out.println("sphinx, final after the participant went quiet: " + fin.text() + " [" + fin.startMs() + ".."
                + fin.endMs() + " ms of " + first.length / 16 + "]");
        assertTrue(fin.text().contains("young man"), fin.text());
        assertTrue(fin.endMs() <= first.length / 16, "the final ends with the audio, not in the silence: " + fin.endMs());
        assertTrue(session.isLive(), "the call stays open");

        // Unmuted: the sender's clock went on from where it stopped (as Jigasi's PCM does).
        short[] second = TestAudio.clip("sense_and_sensibility_01_austen_64kb-0930.wav");
        push(alice, second, at);
        call.close();
        await(() -> session.ended().isDone(), "the call to end");
        List<TranscriptEvent> after = rec.finals().subList(1, rec.finals().size());
        String text = String.join(" ", after.stream().map(TranscriptEvent::text).toList());
        assertTrue(text.contains("he might even have been made"), text);
        for (TranscriptEvent e : after) {
            assertTrue(e.startMs() >= fin.endMs(), "after the idle final on the media clock: " + e);
            assertTrue(e.endMs() <= (first.length + second.length) / 16 + 1, e.toString());
        }
    }

    /** Transcripts in order of delivery. */
    static final class CallSessionTestRecorder implements org.streamasr.media.TranscriptListener {
        final List<TranscriptEvent> events = new java.util.concurrent.CopyOnWriteArrayList<>();

        @Override
        public void onTranscript(TranscriptEvent event) {
            events.add(event);
        }

        List<TranscriptEvent> finals() {
            return events.stream().filter(TranscriptEvent::isFinal).toList();
        }

        List<TranscriptEvent> partials() {
            return events.stream().filter(e -> !e.isFinal()).toList();
        }
    }
}
