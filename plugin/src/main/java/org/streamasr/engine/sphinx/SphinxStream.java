package org.streamasr.engine.sphinx;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.locks.ReentrantLock;
import org.streamasr.engine.RecognitionException;
import org.streamasr.engine.RecognitionListener;
import org.streamasr.engine.RecognitionStream;
import org.streamasr.runtime.AudioInbox;

/**
 * One stream on the sphinx engine. Producers append to the stream's {@link AudioInbox} (the runtime kit's bounded,
 * drop-oldest ring, sized by {@code stream-buffer}); a serial drain task on the engine's fixed worker pool takes 100 ms pieces from it and runs
 * them through this stream's own decoder. At most one drain task per stream is queued or running, so the native
 * decoder is only ever used by one thread at a time, and results reach the listener in order.
 *
 * <p>Live streams drop the oldest buffered audio when the engine falls behind (counted); file producers use
 * {@link #acceptAwaiting}, which waits for room instead.
 */
final class SphinxStream implements RecognitionStream {
    static final int PIECE = 1_600;  // 100 ms at 16 kHz: pocketsphinx_continuous-like granularity
    /** Pieces one drain task decodes before yielding the worker to other streams. */
    private static final int PIECES_PER_TURN = 10;

    private final SphinxEngine engine;
    private final RecognitionListener listener;
    private final String id;
    private final String label;
    private final int partialEveryMillis;

    /** Guards the flags below; never held while calling into the inbox (which has its own monitor). */
    private final ReentrantLock lock = new ReentrantLock();
    private final AudioInbox inbox;
    private boolean finishRequested;
    private boolean closeRequested;
    private boolean scheduled;
    private boolean terminated;

    // touched only by the drain task (one at a time)
    private final float[] taken = new float[PIECE];
    private final short[] piece = new short[PIECE];
    private long takenSamples;
    private SphinxDecoder decoder;
    private SphinxRecognizer recognizer;

    SphinxStream(SphinxEngine engine, String id, String label, int bufferSamples, int partialEveryMillis,
                 RecognitionListener listener) {
        this.engine = engine;
        this.id = id;
        this.label = label;
        this.listener = listener;
        this.partialEveryMillis = partialEveryMillis;
        this.inbox = new AudioInbox(Math.max(bufferSamples, PIECE));
    }

    @Override
    public boolean accept(float[] samples, int offset, int length) {
        java.util.Objects.checkFromIndexSize(offset, length, samples.length);
        if (isEnding()) {
            engine.drops().drop("after-finish", label + ": " + length + " samples after finish/close");
            return false;
        }
        // stale audio is worth less than fresh: the inbox drops the oldest, including the start of this call's audio
        int overflow = inbox.offer(samples, offset, length);
        if (overflow > 0) engine.drops().drop("stream-buffer-full", label + ": dropped " + overflow + " oldest samples");
        schedule();
        return overflow <= 0;
    }

    private boolean isEnding() {
        lock.lock();
        try {
            return finishRequested || closeRequested;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void acceptAwaiting(float[] samples, int offset, int length) throws InterruptedException {
        java.util.Objects.checkFromIndexSize(offset, length, samples.length);
        if (isEnding() || !inbox.offerAwaiting(samples, offset, length, this::schedule)) {
            throw new IllegalStateException("stream " + label + " is finished");
        }
    }

    @Override
    public void finish() {
        lock.lock();
        try {
            if (finishRequested || closeRequested) return;
            finishRequested = true;
            scheduleLocked();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public long pendingSamples() {
        return inbox.available();
    }

    @Override
    public void close() {
        lock.lock();
        try {
            if (closeRequested) return;
            closeRequested = true;
            scheduleLocked();
        } finally {
            lock.unlock();
        }
        inbox.close(); // wakes and refuses waiting producers
    }

    long droppedSamples() {
        return inbox.dropped();
    }

    boolean isTerminated() {
        lock.lock();
        try {
            return terminated;
        } finally {
            lock.unlock();
        }
    }

    private void schedule() {
        lock.lock();
        try {
            scheduleLocked();
        } finally {
            lock.unlock();
        }
    }

    private void scheduleLocked() {
        if (scheduled || terminated) return;
        scheduled = true;
        try {
            engine.workers().execute(this::drain);
        } catch (RejectedExecutionException engineClosed) {
            scheduled = false;
            terminated = true;
            engine.release(this, takeDecoder());
        }
    }

    /** The serial decoding task. */
    private void drain() {
        boolean done = false;
        try {
            done = drainTurn();
        } catch (RecognitionException | RuntimeException | LinkageError e) {
            RecognitionException failure = e instanceof RecognitionException re ? re
                    : new RecognitionException("sphinx decoding failed: " + e, e);
            engine.reportFailure(label, failure);
            safely(() -> listener.onError(failure));
            safely(listener::onFinished);
            done = true;
        } finally {
            boolean ending;
            lock.lock();
            try {
                scheduled = false;
                if (done) terminated = true;
                ending = finishRequested || closeRequested;
            } finally {
                lock.unlock();
            }
            if (done) {
                inbox.close(); // producers waiting for room must not wait for a stream that is over
                engine.release(this, takeDecoder());
            } else if (ending || inbox.available() >= PIECE) {
                // checked after clearing the flag: audio offered before this is seen here, audio after schedules itself
                schedule();
            }
        }
    }

    /** Decodes up to a turn's worth of pieces; returns true when the stream is over (finished or closed). */
    private boolean drainTurn() throws RecognitionException {
        for (int turn = 0; turn < PIECES_PER_TURN; turn++) {
            boolean closing;
            boolean finishing;
            lock.lock();
            try {
                closing = closeRequested;
                finishing = finishRequested;
            } finally {
                lock.unlock();
            }
            if (closing) return true;
            // only this task takes, so what is available can only grow meanwhile
            int count = inbox.available();
            int n = 0;
            long pos = 0;
            if (count >= PIECE || (finishing && count > 0)) {
                pos = takenSamples + inbox.droppedBefore(takenSamples);
                n = take(Math.min(PIECE, count));
            } else if (!finishing) {
                return false;
            }
            if (n > 0) {
                recognizer().feed(piece, n, pos);
            } else {
                if (recognizer != null) recognizer.finish();
                safely(listener::onFinished);
                return true;
            }
        }
        return false;
    }

    private SphinxRecognizer recognizer() throws RecognitionException {
        if (recognizer == null) {
            decoder = engine.newDecoder();
            recognizer = new SphinxRecognizer(decoder, new GuardedListener(), id, partialEveryMillis,
                    engine.maxUtteranceMillis());
        }
        return recognizer;
    }

    /** Takes {@code n} samples from the inbox into {@link #piece} as 16-bit samples; returns how many. */
    private int take(int n) {
        int got = inbox.take(taken, n);
        for (int i = 0; i < got; i++) {
            float f = taken[i] * 32768f;
            piece[i] = (short) (f >= 32767f ? 32767 : f <= -32768f ? -32768 : Math.round(f));
        }
        takenSamples += got;
        return got;
    }

    private SphinxDecoder takeDecoder() {
        SphinxDecoder d = decoder;
        decoder = null;
        recognizer = null;
        return d;
    }

    /** A listener that throws is a bug in the listener, not a reason to end recognition: report and carry on. */
    private final class GuardedListener implements RecognitionListener {
        @Override
        public void onPartial(org.streamasr.engine.Utterance partial) {
            safely(() -> listener.onPartial(partial));
        }

        @Override
        public void onFinal(org.streamasr.engine.Utterance utterance) {
            safely(() -> listener.onFinal(utterance));
        }
    }

    private void safely(Runnable listenerCall) {
        try {
            listenerCall.run();
        } catch (RuntimeException e) {
            engine.reportFailure(label + " listener", e);
        }
    }
}
