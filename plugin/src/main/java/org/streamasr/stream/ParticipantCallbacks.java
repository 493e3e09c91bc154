package org.streamasr.stream;

import org.streamasr.engine.Utterance;

/**
 * What a participant's stream tells its call: the narrow way up, supplied by the call, so that the stream never holds
 * the call itself.
 */
interface ParticipantCallbacks {

    /** A frame arrived (the call's idle timer starts again). From the adapter's thread. */
    void audioArrived();

    /** A result to deliver on the call's lane, numbered there by {@code from}. From an engine thread. */
    void transcript(ParticipantTranscripts from, Utterance utterance, boolean isFinal, long latencyNanos);

    /** A stage of the participant failed; the call ends. */
    void failed(String stage, Throwable error);

    /** The adapter is done with {@code participant}: flush it, deliver its final, release it. */
    void closeRequested(ParticipantStream participant);
}
