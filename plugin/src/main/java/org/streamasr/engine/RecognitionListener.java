package org.streamasr.engine;

/** Receives a stream's results, in order, from engine threads. Implementations must not block. */
public interface RecognitionListener {

    /** The current hypothesis of the open utterance; replaces the previous partial of the same utterance id. */
    void onPartial(Utterance partial);

    /** The utterance ended (endpoint, max length, or end of audio); the next one gets a new id. */
    void onFinal(Utterance utterance);

    /** The stream failed; no more results follow except {@link #onFinished()}. */
    default void onError(RecognitionException error) {
    }

    /** After {@link RecognitionStream#finish()}: everything was delivered. */
    default void onFinished() {
    }
}
