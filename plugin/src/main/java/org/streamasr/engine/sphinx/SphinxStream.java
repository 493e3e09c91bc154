package org.streamasr.engine.sphinx;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.streamasr.engine.RecognitionException;
import org.streamasr.engine.RecognitionListener;
import org.streamasr.engine.RecognitionStream;

/**
 * One stream on the sphinx engine. Producers append to a bounded ring of 16-bit samples (sized by
 * {@code stream-buffer}); a serial drain task on the engine's fixed worker pool takes 100 ms pieces from it and runs
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

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notFull = lock.newCondition();
    private final short[] ring;
    private int head;
    private int count;
    private long headPos;        // stream clock (samples accepted before) of ring[head]
    private long droppedSamples;
    private boolean finishRequested;
    private boolean closeRequested;
    private boolean scheduled;
    private boolean terminated;

    // touched only by the drain task (one at a time)
    private final short[] piece = new short[PIECE];
    private SphinxDecoder decoder;
    private SphinxRecognizer recognizer;

    SphinxStream(SphinxEngine engine, String id, String label, int bufferSamples, int partialEveryMillis,
                 RecognitionListener listener) {
        this.engine = engine;
        this.id = id;
        this.label = label;
        this.listener = listener;
        this.partialEveryMillis = partialEveryMillis;
        this.ring = new short[Math.max(bufferSamples, PIECE)];
    }

    @Override
    public boolean accept(float[] samples, int offset, int length) {
        java.util.Objects.checkFromIndexSize(offset, length, samples.length);
        lock.lock();
        try {
            if (finishRequested || closeRequested) {
                engine.drops().drop("after-finish", label + ": " + length + " samples after finish/close");
                return false;
            }
            int overflow = count + length - ring.length;
            if (overflow > 0) {
                // stale audio is worth less than fresh: drop the oldest, including the start of this call's audio
                int fromRing = Math.min(overflow, count);
                head = (head + fromRing) % ring.length;
                count -= fromRing;
                headPos += fromRing;
                int fromInput = overflow - fromRing;
                offset += fromInput;
                length -= fromInput;
                headPos += fromInput;
                droppedSamples += overflow;
                engine.drops().drop("stream-buffer-full", label + ": dropped " + overflow + " oldest samples");
            }
            put(samples, offset, length);
            scheduleLocked();
            return overflow <= 0;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void acceptAwaiting(float[] samples, int offset, int length) throws InterruptedException {
        java.util.Objects.checkFromIndexSize(offset, length, samples.length);
        lock.lock();
        try {
            while (length > 0) {
                if (finishRequested || closeRequested) throw new IllegalStateException("stream " + label + " is finished");
                int room = ring.length - count;
                if (room == 0) {
                    notFull.await();
                    continue;
                }
                int n = Math.min(room, length);
                put(samples, offset, n);
                offset += n;
                length -= n;
                scheduleLocked();
            }
        } finally {
            lock.unlock();
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
        lock.lock();
        try {
            return count;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            if (closeRequested) return;
            closeRequested = true;
            notFull.signalAll();
            scheduleLocked();
        } finally {
            lock.unlock();
        }
    }

    long droppedSamples() {
        lock.lock();
        try {
            return droppedSamples;
        } finally {
            lock.unlock();
        }
    }

    boolean isTerminated() {
        lock.lock();
        try {
            return terminated;
        } finally {
            lock.unlock();
        }
    }

    private void put(float[] samples, int offset, int length) {
        int tail = (head + count) % ring.length;
        for (int i = 0; i < length; i++) {
            float f = samples[offset + i] * 32768f;
            ring[tail] = (short) (f >= 32767f ? 32767 : f <= -32768f ? -32768 : Math.round(f));
            if (++tail == ring.length) tail = 0;
        }
        count += length;
    }

    private void scheduleLocked() {
        if (scheduled || terminated) return;
        scheduled = true;
        try {
            engine.workers().execute(this::drain);
        } catch (RejectedExecutionException engineClosed) {
            scheduled = false;
            terminated = true;
            notFull.signalAll();
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
            lock.lock();
            try {
                scheduled = false;
                if (done) {
                    terminated = true;
                    notFull.signalAll();
                } else if (count >= PIECE || finishRequested || closeRequested) {
                    scheduleLocked();
                }
            } finally {
                lock.unlock();
            }
            if (done) engine.release(this, takeDecoder());
        }
    }

    /** Decodes up to a turn's worth of pieces; returns true when the stream is over (finished or closed). */
    private boolean drainTurn() throws RecognitionException {
        for (int turn = 0; turn < PIECES_PER_TURN; turn++) {
            int n;
            long pos;
            boolean finishing;
            lock.lock();
            try {
                if (closeRequested) return true;
                finishing = finishRequested;
                if (count < PIECE && !(finishing && count > 0)) {
                    if (!finishing) return false;
                    n = 0;
                    pos = headPos;
                } else {
                    n = Math.min(PIECE, count);
                    pos = headPos;
                    take(n);
                    notFull.signalAll();
                }
            } finally {
                lock.unlock();
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

    private void take(int n) {
        for (int i = 0; i < n; i++) {
            piece[i] = ring[head];
            if (++head == ring.length) head = 0;
        }
        count -= n;
        headPos += n;
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
