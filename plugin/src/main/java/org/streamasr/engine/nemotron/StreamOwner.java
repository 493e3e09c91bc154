package org.streamasr.engine.nemotron;

/**
 * What a {@link NemotronStream} asks of the engine that opened it, and nothing else: a place in the batch queue of its
 * chunk model, and the return of its caches at the end. The engine implements it and hands it down; the stream never
 * holds the engine.
 */
interface StreamOwner {

    /** The stream's next chunk is ready: queue it for a batch. False (nothing queued) once the engine is closed. */
    boolean submit(NemotronStream s);

    /** The stream expects its next chunk ready at {@code atNanos}: ready streams of its model may wait for it. */
    void expect(NemotronStream s, long atNanos);

    /** The stream is not expected ready (or will not be again): nobody waits for it. */
    void forget(NemotronStream s);

    /** The stream's worker side is done: its caches may serve another stream. Called exactly once per stream. */
    void release(NemotronStream s);
}
