package org.streamasr.stream;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.streamasr.engine.RecognitionException;
import org.streamasr.engine.RecognitionListener;
import org.streamasr.engine.RecognitionStream;
import org.streamasr.engine.Utterance;
import org.streamasr.runtime.DropCounter;
import org.streamasr.media.ParticipantAudio;
import org.streamasr.media.PcmFrame;
import org.streamasr.media.TranscriptEvent;
import org.streamasr.media.TranscriptEvent.WordTiming;

/**
 * One participant's ASR stream: the bridge from an adapter's 16-bit PCM frames (media time, gaps) to the engine's
 * float stream, and from the engine's utterances to numbered {@link TranscriptEvent}s on the media clock.
 *
 * <p>Threads: {@link #push} runs on the adapter's network thread and only converts and hands the samples to the
 * engine (which never blocks); engine callbacks run on engine threads and only time the result and queue it on the
 * call's lane; event numbering and de-duplication run on the lane, one call at a time.
 */
final class ParticipantStream implements ParticipantAudio, RecognitionListener {
    private static final int OPEN = 0;
    private static final int FINISHING = 1;
    private static final int RELEASED = 2;
    private static final int PUSH_HISTORY = 1_024;

    private final CallSession call;
    private final String participantId;
    private final String displayName;
    private final String language;
    private final long maxGapFillSamples;
    private final long idleFinalizeNanos;
    private final long idleSilenceSamples;
    private final DropCounter drops;
    private final MediaClockMap clock = new MediaClockMap();
    private final PushTimeline timeline = new PushTimeline(PUSH_HISTORY);
    private final AtomicInteger state = new AtomicInteger(OPEN);
    private final CompletableFuture<Boolean> finished = new CompletableFuture<>();
    private volatile RecognitionStream stream;

    private final Object pushLock = new Object();
    // Guarded by pushLock.
    private long nextMediaSample = -1;
    private long acceptedSamples;
    /** Media time the adapter delivered (frames, and the gaps between them): idle-finalize silence not counted. */
    private long receivedSamples;
    private float[] scratch = new float[960];
    /** When the last frame came, on the registry's clock. */
    private long lastFrameNanos;
    /** Silence was fed because the participant went idle, and no frame came since. */
    private boolean idleFinalized;
    /** Samples of that silence that no media time has claimed yet (the stream is this far ahead of the media clock). */
    private long idleSilence;

    // Touched only on the call's lane.
    private long seq;
    private String shownUtteranceId;
    private String shownPartialText;

    /**
     * @param idleFinalize after this long without a frame the participant's open utterance is finalised by feeding
     *                     {@code idleSilence} of silence; {@link Duration#ZERO} never
     */
    ParticipantStream(CallSession call, String participantId, String displayName, String language,
                      long maxGapFillSamples, Duration idleFinalize, Duration idleSilence, DropCounter drops) {
        this.call = call;
        this.participantId = participantId;
        this.displayName = displayName;
        this.language = language;
        this.maxGapFillSamples = maxGapFillSamples;
        this.idleFinalizeNanos = idleFinalize.toNanos();
        this.idleSilenceSamples = idleSilence.toMillis() * 16;
        this.drops = drops;
    }

    /** Binds the engine stream; called once, before the participant is published to adapters. */
    void attach(RecognitionStream stream) {
        this.stream = Objects.requireNonNull(stream);
    }

    @Override
    public String participantId() {
        return participantId;
    }

    String displayName() {
        return displayName;
    }

    String language() {
        return language;
    }

    long audioMillis() {
        synchronized (pushLock) {
            return receivedSamples / 16;
        }
    }

    long pendingSamples() {
        RecognitionStream s = stream;
        return s == null || state.get() == RELEASED ? 0 : s.pendingSamples();
    }

    boolean isOpen() {
        return state.get() == OPEN;
    }

    @Override
    public void push(PcmFrame frame) {
        if (state.get() != OPEN) {
            drops.drop("after-close", call.id() + "/" + participantId);
            return;
        }
        synchronized (pushLock) {
            if (state.get() != OPEN) {
                drops.drop("after-close", call.id() + "/" + participantId);
                return;
            }
            short[] samples = frame.samples();
            long at = frame.mediaTimeSamples();
            int from = 0;
            if (nextMediaSample < 0) {
                clock.start(at);
                nextMediaSample = at;
            }
            lastFrameNanos = call.nanoTime();
            idleFinalized = false;
            long gap = at - nextMediaSample;
            long fillBudget = maxGapFillSamples;
            if (idleSilence > 0 && gap >= 0) {
                fillBudget = Math.max(0, fillBudget - claimIdleSilence(gap, frame));
                gap = Math.max(0, at - nextMediaSample);
                from = (int) Math.min(samples.length, Math.max(0, nextMediaSample - at));
            }
            if (gap > 0) {
                long fill = Math.min(gap, fillBudget);
                feedSilence(fill);
                receivedSamples += fill;
                if (gap > fill) clock.skip(acceptedSamples, gap - fill);
            } else if (gap < 0) {
                if (-gap >= samples.length) {
                    drops.drop("late-frame", call.id() + "/" + participantId + " at media sample " + at);
                    return;
                }
                from = (int) -gap;
            }
            if (from < samples.length) {
                receivedSamples += samples.length - from;
                feed(samples, from);
                timeline.record(acceptedSamples, System.nanoTime());
            }
            nextMediaSample = at + samples.length;
        }
        call.touch();
    }

    /**
     * The silence fed while the participant was idle already stands for the start of the pause that ends with
     * {@code frame}: first for the media time the pause took ({@code gap}), then for silence the adapter sends to fill
     * it; that much of it is placed on the media clock. What audio resumes before (senders whose clock stops while
     * they pause) stays unplaced: the stream is that far ahead of the media clock, and times in it map to where the
     * pause began, so they never run backwards. Moves {@code nextMediaSample} past what was claimed.
     *
     * @return samples of the pause that the idle silence covered
     */
    private long claimIdleSilence(long gap, PcmFrame frame) {
        long claimed = Math.min(gap, idleSilence);
        if (frame.kind() == PcmFrame.Kind.SILENCE) claimed += Math.min(frame.samples().length, idleSilence - claimed);
        idleSilence -= claimed;
        nextMediaSample += claimed;
        receivedSamples += claimed; // the idle silence now stands for media time that passed
        if (claimed > 0) clock.skip(acceptedSamples, claimed);
        // Audio resumed before the media clock passed all of that silence: the rest stays unplaced.
        if (frame.kind() != PcmFrame.Kind.SILENCE) idleSilence = 0;
        return claimed;
    }

    /**
     * From the registry's sweep: once no frame came for the idle time (a muted participant, a sender that stopped),
     * feeds the engine enough silence to end the open utterance, so its final comes now rather than at the next
     * packet; once per pause. The call's own idle timer is left alone.
     *
     * @return whether silence was fed
     */
    boolean finalizeIfIdle(long nowNanos) {
        if (idleFinalizeNanos <= 0 || state.get() != OPEN) return false;
        synchronized (pushLock) {
            if (state.get() != OPEN || nextMediaSample < 0 || idleFinalized || nowNanos - lastFrameNanos < idleFinalizeNanos) {
                return false;
            }
            idleFinalized = true;
            feedSilence(idleSilenceSamples);
            idleSilence += idleSilenceSamples;
            // Until the media clock says how long the pause is, the silence has no media time of its own: a final
            // delivered now ends where the participant's audio ended.
            clock.skip(acceptedSamples, -idleSilenceSamples);
            timeline.record(acceptedSamples, System.nanoTime());
        }
        return true;
    }

    private void feed(short[] samples, int from) {
        int n = samples.length - from;
        float[] buf = scratch(n);
        for (int i = 0; i < n; i++) buf[i] = samples[from + i] / 32768f;
        accept(buf, n);
    }

    private void feedSilence(long samples) {
        while (samples > 0) {
            int n = (int) Math.min(samples, 16_000);
            float[] buf = scratch(n);
            java.util.Arrays.fill(buf, 0, n, 0f);
            accept(buf, n);
            samples -= n;
        }
    }

    private void accept(float[] buf, int n) {
        if (!stream.accept(buf, 0, n)) {
            drops.drop("engine-behind", call.id() + "/" + participantId + ": oldest buffered audio dropped");
        }
        acceptedSamples += n;
    }

    private float[] scratch(int n) {
        if (scratch.length < n) scratch = new float[Math.max(n, scratch.length * 2)];
        return scratch;
    }

    // ---- engine side ----

    @Override
    public void onPartial(Utterance partial) {
        long latency = timeline.latencyNanos(partial.endMs() * 16, System.nanoTime());
        call.deliver(this, partial, false, latency);
    }

    @Override
    public void onFinal(Utterance utterance) {
        call.deliver(this, utterance, true, -1);
    }

    @Override
    public void onError(RecognitionException error) {
        finished.complete(false);
        call.fail("recognition", error);
    }

    @Override
    public void onFinished() {
        finished.complete(true);
    }

    /**
     * Builds the event for {@code u} on the call's lane, numbering it; null when there is nothing to show (an empty
     * or repeated partial, an empty final of an utterance nobody saw).
     */
    TranscriptEvent toEvent(Utterance u, boolean isFinal) {
        boolean shown = u.id().equals(shownUtteranceId);
        if (!isFinal) {
            if (u.text().isBlank() || (shown && u.text().equals(shownPartialText))) return null;
            shownUtteranceId = u.id();
            shownPartialText = u.text();
        } else {
            shownUtteranceId = null;
            shownPartialText = null;
            if (u.text().isBlank() && !shown) return null;
            clock.forgetBefore(u.startMs() * 16);
        }
        List<WordTiming> words = TranscriptWords.of(u.tokens(), u.endMs(), clock::toMediaMillis);
        return new TranscriptEvent(call.id(), participantId, displayName, u.id(), ++seq, isFinal, u.text().strip(),
                u.language() != null ? u.language() : language, clock.toMediaMillis(u.startMs()),
                clock.toMediaMillis(u.endMs()), words);
    }

    // ---- lifecycle ----

    /** Stops taking audio and asks the engine for the last final; {@link #finished()} completes when delivered. */
    void finish() {
        if (!state.compareAndSet(OPEN, FINISHING)) return;
        synchronized (pushLock) {
            // No push is half-way through now: the engine sees the whole audio, then the end.
        }
        stream.finish();
    }

    /** Completes with true once the engine delivered everything, false when the stream failed. */
    CompletableFuture<Boolean> finished() {
        return finished;
    }

    /** Releases the engine stream; returns false if it was already released. */
    boolean release() {
        if (state.getAndSet(RELEASED) == RELEASED) return false;
        stream.close();
        return true;
    }

    /** The adapter is done with this participant: flush its audio, deliver its final, then release it. */
    @Override
    public void close() {
        call.closeParticipant(this);
    }
}
