package org.streamasr.media;

/** A live call as an adapter sees it: participants come and go, and closing it ends the call. */
public interface CallHandle extends AutoCloseable {

    String callId();

    /**
     * Opens the audio stream of one participant (one SSRC, track or tag). Opening an id that is already open returns
     * the open stream.
     */
    ParticipantAudio openParticipant(ParticipantSpec participant);

    /** Ends the call: every participant's pending audio is recognised and its finals delivered. Idempotent. */
    @Override
    void close();
}
