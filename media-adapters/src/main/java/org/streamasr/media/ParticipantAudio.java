package org.streamasr.media;

/** The audio input of one participant's ASR stream. */
public interface ParticipantAudio extends AutoCloseable {

    String participantId();

    /**
     * Hands one frame to the stream. Never blocks: if the stream is behind, the sink applies its overflow policy
     * (drop oldest, counted). The frame's array belongs to the sink after this call.
     */
    void push(PcmFrame frame);

    /** This participant's audio ended: pending audio is recognised and its final delivered. Idempotent. */
    @Override
    void close();
}
