package org.streamasr.engine.nemotron;

import java.util.concurrent.atomic.AtomicBoolean;
import org.streamasr.engine.RecognitionStream;
import org.streamasr.engine.features.LogMelExtractor;
import org.streamasr.engine.vad.SileroVadModel;
import org.streamasr.runtime.AudioInbox;

/**
 * One stream on the Nemotron engine. The producer side ({@link #accept}, {@link #finish}, {@link #close}) only copies
 * into the {@link AudioInbox} and, when a full chunk is there, queues the stream with the batch scheduler; the
 * worker side (feeder, caches, transcript) is touched by one inference worker at a time, the one running the batch the
 * stream is in. A stream is in at most one batch at a time ({@link #scheduled}).
 */
final class NemotronStream implements RecognitionStream {
    final NemotronEngine engine;
    final ChunkModel model;
    final String label;
    final int promptId;
    final boolean live;
    final AudioInbox inbox;
    final ResultDelivery delivery;
    // worker side
    final ChunkFeeder feeder;
    final StreamCaches caches;
    final Transcript transcript;
    long framesDone;

    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final AtomicBoolean closeCalled = new AtomicBoolean();
    private volatile boolean finishRequested;
    private volatile boolean closed;
    private volatile boolean completed;
    /** Feature-clock samples the next chunk needs while the audio is open (set by the worker). */
    private volatile long needs;
    private volatile long chunksDone;

    NemotronStream(NemotronEngine engine, ChunkModel model, String label, int promptId, boolean live, AudioInbox inbox,
                   ResultDelivery delivery, ChunkFeeder feeder, StreamCaches caches, Transcript transcript) {
        this.engine = engine;
        this.model = model;
        this.label = label;
        this.promptId = promptId;
        this.live = live;
        this.inbox = inbox;
        this.delivery = delivery;
        this.feeder = feeder;
        this.caches = caches;
        this.transcript = transcript;
        caches.reset(model);
        this.needs = samplesWanted();
    }

    @Override
    public boolean accept(float[] samples, int offset, int length) {
        if (finishRequested || closed) {
            engine.drops().drop("after-finish", label + ": " + length + " samples after finish/close");
            return false;
        }
        int lost = inbox.offer(samples, offset, length);
        if (lost > 0) engine.drops().drop("stream-buffer-full", label + ": dropped " + lost + " oldest samples");
        maybeSchedule();
        return lost == 0;
    }

    @Override
    public void acceptAwaiting(float[] samples, int offset, int length) throws InterruptedException {
        if (finishRequested || closed) throw new IllegalStateException("stream " + label + " is finished");
        inbox.offerAwaiting(samples, offset, length, this::maybeSchedule);
    }

    @Override
    public void finish() {
        if (finishRequested || closed) return;
        finishRequested = true;
        maybeSchedule();
    }

    /** Samples accepted and not yet covered by a finished chunk (dropped audio excluded). */
    @Override
    public long pendingSamples() {
        long recognised = chunksDone * model.contract.chunkShift() * (long) LogMelExtractor.HOP;
        return Math.max(0, inbox.reachable() - recognised);
    }

    @Override
    public void close() {
        if (!closeCalled.compareAndSet(false, true)) return;
        closed = true;
        inbox.close();
        engine.streamClosed(this);
        if (scheduled.compareAndSet(false, true)) release();
    }

    boolean finishRequested() {
        return finishRequested;
    }

    boolean isClosed() {
        return closed;
    }

    boolean completed() {
        return completed;
    }

    /** Called by the worker when the stream has delivered its last result. */
    void markCompleted() {
        completed = true;
        inbox.close();
    }

    /** Whether a batch has work for this stream: a full chunk, or the flush and end after {@link #finish()}. */
    boolean ready() {
        if (closed || completed) return false;
        if (finishRequested) return true;
        return inbox.reachable() >= needs;
    }

    void maybeSchedule() {
        if (!scheduled.get() && ready() && scheduled.compareAndSet(false, true) && !engine.submit(this)) {
            scheduled.set(false);
        }
    }

    /** The worker is done with this stream's part of a batch. */
    void afterBatch() {
        chunksDone = feeder.chunks();
        needs = samplesWanted();
        if (closed || completed) {
            release();
            return;
        }
        scheduled.set(false);
        maybeSchedule();
    }

    /** Feature-clock samples wanted before the next chunk runs; idle streams also wait for the VAD's look-ahead. */
    long samplesWanted() {
        long base = feeder.samplesForNextChunk();
        if (!engine.vadGating() || transcript.hasText()) return base;
        long vadEnd = feeder.chunkEndSample() + NemotronEngine.VAD_MARGIN_SAMPLES;
        long window = SileroVadModel.WINDOW;
        return Math.max(base, (vadEnd + window - 1) / window * window);
    }

    private void release() {
        engine.release(this);
    }
}
