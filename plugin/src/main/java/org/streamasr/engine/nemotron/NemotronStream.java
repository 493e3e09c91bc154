package org.streamasr.engine.nemotron;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.streamasr.engine.RecognitionStream;
import org.streamasr.engine.features.LogMelExtractor;
import org.streamasr.engine.vad.SileroVadModel;
import org.streamasr.runtime.AudioInbox;

/**
 * One stream on the Nemotron engine. The producer side ({@link #accept}, {@link #finish}, {@link #close}) only copies
 * into the {@link AudioInbox} and, when a full chunk is there, queues the stream with the batch scheduler; the
 * worker side (feeder, caches, transcript) is touched by one inference worker at a time, the one running the batch the
 * stream is in. A stream is in at most one batch at a time ({@link #scheduled}).
 *
 * <p>References point one way: the stream holds the engine's shared {@link EngineContext} and asks its
 * {@link StreamOwner} for the batch queue and the return of its caches; it never holds the engine.
 */
final class NemotronStream implements RecognitionStream {
    /** An expectation that moved by less than this is not told to the scheduler again. */
    private static final long EXPECTATION_SLACK_NANOS = 1_000_000;
    private static final AtomicInteger OPEN = new AtomicInteger();
    final EngineContext context;
    private final StreamOwner owner;
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
    private final ChunkArrival arrival = new ChunkArrival();
    /** The expectation last told to the scheduler ({@link ChunkArrival#NEVER}: none). */
    private volatile long expectedAt = ChunkArrival.NEVER;
    private final AtomicBoolean closeCalled = new AtomicBoolean();
    private volatile boolean finishRequested;
    private volatile boolean closed;
    private volatile boolean completed;
    /** Feature-clock samples the next chunk needs while the audio is open (set by the worker). */
    private volatile long needs;
    private volatile long chunksDone;

    NemotronStream(EngineContext context, StreamOwner owner, ChunkModel model, String label, int promptId, boolean live,
                   AudioInbox inbox, ResultDelivery delivery, ChunkFeeder feeder, StreamCaches caches, Transcript transcript) {
        this.context = context;
        this.owner = owner;
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
        OPEN.incrementAndGet();
    }

    /** Streams opened and not yet closed, over all engines in the process (for leak checks). */
    static int openInProcess() {
        return OPEN.get();
    }

    @Override
    public boolean accept(float[] samples, int offset, int length) {
        if (finishRequested || closed) {
            context.drops().drop("after-finish", label + ": " + length + " samples after finish/close");
            return false;
        }
        int lost = inbox.offer(samples, offset, length);
        if (lost > 0) context.drops().drop("stream-buffer-full", label + ": dropped " + lost + " oldest samples");
        arrived();
        return lost == 0;
    }

    @Override
    public void acceptAwaiting(float[] samples, int offset, int length) throws InterruptedException {
        if (finishRequested || closed) throw new IllegalStateException("stream " + label + " is finished");
        inbox.offerAwaiting(samples, offset, length, this::arrived);
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
        owner.forget(this);
        OPEN.decrementAndGet();
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
        owner.forget(this);
    }

    /** Whether a batch has work for this stream: a full chunk, or the flush and end after {@link #finish()}. */
    boolean ready() {
        if (closed || completed) return false;
        if (finishRequested) return true;
        return inbox.reachable() >= needs;
    }

    void maybeSchedule() {
        if (!scheduled.get() && ready() && scheduled.compareAndSet(false, true)) {
            expectedAt = ChunkArrival.NEVER;
            if (!owner.submit(this)) scheduled.set(false);
        }
    }

    /** Audio arrived from the producer: queue the stream if its chunk is complete, else update its expectation. */
    private void arrived() {
        long now = context.now();
        arrival.arrived(inbox.reachable(), now);
        maybeSchedule();
        expectNext(now);
    }

    /**
     * The worker is done with this stream's part of a batch: the stream tells the scheduler when its next chunk is
     * expected. The batch's streams are queued again afterwards ({@link #maybeSchedule}), all expectations first, so
     * that the first one back waits for the others instead of leaving alone.
     */
    void afterBatch() {
        chunksDone = feeder.chunks();
        needs = samplesWanted();
        if (closed || completed) {
            release();
            return;
        }
        scheduled.set(false);
        expectNext(context.now());
    }

    /** Tells the scheduler when this stream's next chunk is expected (while it is neither queued nor running). */
    private void expectNext(long now) {
        if (scheduled.get() || closed || completed) return;
        long at = finishRequested ? now : arrival.expectedAt(needs, inbox.reachable(), now);
        long told = expectedAt;
        if (at == ChunkArrival.NEVER) {
            if (told != ChunkArrival.NEVER) {
                expectedAt = ChunkArrival.NEVER;
                owner.forget(this);
            }
        } else if (told == ChunkArrival.NEVER || Math.abs(at - told) > EXPECTATION_SLACK_NANOS || at == now) {
            expectedAt = at;
            owner.expect(this, at);
        }
    }

    /** Feature-clock samples wanted before the next chunk runs; idle streams also wait for the VAD's look-ahead. */
    long samplesWanted() {
        long base = feeder.samplesForNextChunk();
        if (!context.vadGating() || transcript.hasText()) return base;
        long vadEnd = feeder.chunkEndSample() + EngineContext.VAD_MARGIN_SAMPLES;
        long window = SileroVadModel.WINDOW;
        return Math.max(base, (vadEnd + window - 1) / window * window);
    }

    /** Stream-clock milliseconds of encoder frame {@code frame} (dropped audio included). */
    long frameMillis(long frame) {
        long sample = frame * model.contract.subsampling() * 160L;
        return (sample + inbox.droppedBefore(sample)) / 16;
    }

    private void release() {
        owner.release(this);
    }
}
