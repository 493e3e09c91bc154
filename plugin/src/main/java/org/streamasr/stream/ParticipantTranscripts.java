package org.streamasr.stream;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.streamasr.engine.RecognitionException;
import org.streamasr.engine.RecognitionListener;
import org.streamasr.engine.Utterance;
import org.streamasr.media.TranscriptEvent;
import org.streamasr.media.TranscriptEvent.WordTiming;

/**
 * The publication half of a participant: takes the engine's utterances, times partials from the push that completed
 * their audio, and on the call's lane numbers them into {@link TranscriptEvent}s on the media clock, dropping empty
 * and repeated partials. The ingest half ({@link ParticipantStream}) writes the clock map and push timeline this reads.
 *
 * <p>Threads: engine callbacks run on engine threads and only time the result and hand it to the call;
 * {@link #toEvent} runs on the call's lane, one call at a time.
 */
final class ParticipantTranscripts implements RecognitionListener {
    private final ParticipantContext context;
    private final MediaClockMap clock;
    private final PushTimeline timeline;
    private final ParticipantCallbacks call;
    private final CompletableFuture<Boolean> finished = new CompletableFuture<>();

    // Touched only on the call's lane.
    private long seq;
    private String shownUtteranceId;
    private String shownPartialText;

    ParticipantTranscripts(ParticipantContext context, MediaClockMap clock, PushTimeline timeline,
                           ParticipantCallbacks call) {
        this.context = context;
        this.clock = clock;
        this.timeline = timeline;
        this.call = call;
    }

    @Override
    public void onPartial(Utterance partial) {
        long latency = timeline.latencyNanos(partial.endMs() * 16, System.nanoTime());
        call.transcript(this, partial, false, latency);
    }

    @Override
    public void onFinal(Utterance utterance) {
        call.transcript(this, utterance, true, -1);
    }

    @Override
    public void onError(RecognitionException error) {
        finished.complete(false);
        call.failed("recognition", error);
    }

    @Override
    public void onFinished() {
        finished.complete(true);
    }

    /** Completes with true once the engine delivered everything, false when the stream failed. */
    CompletableFuture<Boolean> finished() {
        return finished;
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
        return new TranscriptEvent(context.callId(), context.participantId(), context.displayName(), u.id(), ++seq,
                isFinal, u.text().strip(), u.language() != null ? u.language() : context.language(),
                clock.toMediaMillis(u.startMs()), clock.toMediaMillis(u.endMs()), words);
    }
}
