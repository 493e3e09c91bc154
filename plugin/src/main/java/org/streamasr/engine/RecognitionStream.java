package org.streamasr.engine;

/**
 * One participant's or one file's audio going through an engine. Owns its mutable state (feature ring, caches,
 * decoder state, hypothesis, endpoint timers); the engine's model is shared.
 */
public interface RecognitionStream extends AutoCloseable {

    /**
     * Appends 16 kHz mono samples in [-1, 1]. Never blocks and copies what it keeps. When the stream is too far
     * behind (a live source outrunning the engine), the oldest buffered audio is dropped and counted; returns
     * {@code false} when that happened.
     */
    boolean accept(float[] samples, int offset, int length);

    /**
     * For non-live producers (files, the hosted API): appends without ever dropping, waiting while the stream's
     * buffer is full. Must not be called on a media or network thread.
     */
    void acceptAwaiting(float[] samples, int offset, int length) throws InterruptedException;

    /**
     * The audio ended: the tail is flushed, the last utterance is delivered as a final, then
     * {@link RecognitionListener#onFinished()} is called. Idempotent; returns at once.
     */
    void finish();

    /** Samples accepted but not yet recognised. */
    long pendingSamples();

    /** Abandons the stream without flushing and releases its state. Idempotent. */
    @Override
    void close();
}
