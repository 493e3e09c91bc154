package org.streamasr.media.adapter;

/**
 * Where a protocol session writes what goes back to the media server. Never blocks: messages are queued and sent
 * asynchronously, one at a time, in order.
 */
public interface OutboundChannel {

    /** How much a message matters when the peer cannot keep up. */
    enum Priority {
        /** Protocol replies (pong, acknowledgements): never dropped while the channel is open. */
        CONTROL,
        /** A partial transcript: a newer partial with the same coalesce key replaces it; dropped first on overflow. */
        PARTIAL,
        /** A final transcript: never dropped; a peer that cannot take it is closed. */
        FINAL
    }

    /**
     * Queues a text message.
     *
     * @param coalesceKey for {@link Priority#PARTIAL}, the key (e.g. participant + utterance) under which a newer
     *                    partial replaces a queued, unsent one; {@code null} for none
     * @return false when the message was not queued (channel closed or closing, or the peer was evicted)
     */
    boolean sendText(String text, Priority priority, String coalesceKey);

    /** Sends what is queued, then closes with the code and reason. Further messages are refused. Idempotent. */
    void closeAfterFlush(int code, String reason);

    /** Closes at once, dropping what is queued. Idempotent. */
    void closeNow(int code, String reason);

    /** False once closing or closed. */
    boolean isOpen();
}
