package org.streamasr.media;

/**
 * Receives a call's transcripts. Called from the plugin's event threads, one call's events at a time and in order;
 * implementations must not block.
 */
public interface TranscriptListener {

    void onTranscript(TranscriptEvent event);

    /**
     * A participant's stream ended (its adapter closed it, or its lease was closed) and its last final was delivered
     * before this call. Lets an adapter answer an end-of-stream request (Vosk's EOF) after the final result.
     */
    default void onParticipantEnded(String callId, String participantId) {
    }

    /** The call ended (closed by the adapter, an API request, an idle timeout, or shutdown). */
    default void onCallEnded(String callId, String reason) {
    }

    TranscriptListener NONE = event -> { };
}
