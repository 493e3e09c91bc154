package org.streamasr.media;

/**
 * Where media adapters deliver audio. The plugin implements it; adapters know nothing of the engine.
 *
 * <p>Implementations are thread-safe and never block the caller for long: adapters call them from network threads.
 */
public interface CallSink {

    /**
     * Opens a call, or joins the live call with the same id. Transcripts of every participant of the call are
     * delivered to {@code listener} (which adapters use to answer on their own socket, e.g. Jitsi's
     * {@code transcription-result}).
     *
     * @throws CallRejectedException when the call cannot be opened (capacity, bad language, unknown engine); the
     *                               message is safe to show to the remote side
     */
    CallHandle openCall(CallSpec spec, TranscriptListener listener) throws CallRejectedException;
}
