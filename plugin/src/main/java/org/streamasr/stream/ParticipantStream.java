package org.streamasr.stream;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.streamasr.engine.RecognitionStream;
import org.streamasr.runtime.DropCounter;
import org.streamasr.media.ParticipantAudio;
import org.streamasr.media.PcmFrame;

/**
 * The ingest half of a participant: the bridge from an adapter's 16-bit PCM frames (media time, gaps) to the engine's
 * float stream. Fills short gaps with silence, places long ones on the {@link MediaClockMap}, finalises an idle
 * participant with silence, and owns the engine stream's lifecycle. Its publication half,
 * {@link ParticipantTranscripts}, is the engine's listener and numbers the events; it reads the clock map and push
 * timeline this writes. Neither holds the call: they get a {@link ParticipantContext} and report through
 * {@link ParticipantCallbacks}.
 *
 * <p>Threads: {@link #push} runs on the adapter's network thread and only converts and hands the samples to the
 * engine (which never blocks).
 */
final class ParticipantStream implements ParticipantAudio {
    private static final int OPEN = 0;
    private static final int FINISHING = 1;
    private static final int RELEASED = 2;
    private static final int PUSH_HISTORY = 1_024;

    private final ParticipantContext context;
    private final ParticipantCallbacks call;
    private final long maxGapFillSamples;
    private final long idleFinalizeNanos;
    private final long idleSilenceSamples;
    private final DropCounter drops;
    private final MediaClockMap clock = new MediaClockMap();
    private final PushTimeline timeline = new PushTimeline(PUSH_HISTORY);
    private final ParticipantTranscripts transcripts;
    private final AtomicInteger state = new AtomicInteger(OPEN);
    private volatile RecognitionStream stream;

    private final Object pushLock = new Object();
    // Guarded by pushLock.
    private long nextMediaSample = -1;
    private long acceptedSamples;
    /** Media time the adapter delivered (frames, and the gaps between them): idle-finalize silence not counted. */
    private long receivedSamples;
    private float[] scratch = new float[960];
    /** When the last frame came, on the call's clock. */
    private long lastFrameNanos;
    /** Silence was fed because the participant went idle, and no frame came since. */
    private boolean idleFinalized;
    /** Samples of that silence that no media time has claimed yet (the stream is this far ahead of the media clock). */
    private long idleSilence;

    ParticipantStream(ParticipantContext context, ParticipantCallbacks call) {
        this.context = context;
        this.call = call;
        this.maxGapFillSamples = context.maxGapFillSamples();
        this.idleFinalizeNanos = context.idleFinalize().toNanos();
        this.idleSilenceSamples = context.idleSilence().toMillis() * 16;
        this.drops = context.drops();
        this.transcripts = new ParticipantTranscripts(context, clock, timeline, call);
    }

    /** The publication half: the listener to open the engine stream with. */
    ParticipantTranscripts transcripts() {
        return transcripts;
    }

    /** Binds the engine stream; called once, before the participant is published to adapters. */
    void attach(RecognitionStream stream) {
        this.stream = Objects.requireNonNull(stream);
    }

    @Override
    public String participantId() {
        return context.participantId();
    }

    String displayName() {
        return context.displayName();
    }

    String language() {
        return context.language();
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
            drops.drop("after-close", context.label());
            return;
        }
        synchronized (pushLock) {
            if (state.get() != OPEN) {
                drops.drop("after-close", context.label());
                return;
            }
            short[] samples = frame.samples();
            long at = frame.mediaTimeSamples();
            int from = 0;
            if (nextMediaSample < 0) {
                clock.start(at);
                nextMediaSample = at;
            }
            lastFrameNanos = context.nanoTime().getAsLong();
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
                    drops.drop("late-frame", context.label() + " at media sample " + at);
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
        call.audioArrived();
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
            drops.drop("engine-behind", context.label() + ": oldest buffered audio dropped");
        }
        acceptedSamples += n;
    }

    private float[] scratch(int n) {
        if (scratch.length < n) scratch = new float[Math.max(n, scratch.length * 2)];
        return scratch;
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
        return transcripts.finished();
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
        call.closeRequested(this);
    }
}
