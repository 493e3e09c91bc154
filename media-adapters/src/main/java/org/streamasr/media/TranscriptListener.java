package org.streamasr.media;

/** Receives a call's transcripts. Called from engine threads: implementations must not block. */
public interface TranscriptListener {

    void onTranscript(TranscriptEvent event);

    /** The call ended (closed by the adapter, an API request, an idle timeout, or shutdown). */
    default void onCallEnded(String callId, String reason) {
    }

    TranscriptListener NONE = event -> { };
}
