package org.streamasr.media.adapter;

import java.nio.ByteBuffer;

/**
 * The protocol logic of one connection, free of sockets: the endpoint glue (or a test) pushes what arrived, and the
 * session answers through the {@link OutboundChannel} it was given. Calls for one connection come from one thread at
 * a time; transcripts reach the session from engine threads.
 *
 * <p>Bad input never escapes as an exception: a session counts it, drops it, and keeps going, or closes the
 * connection with a clear reason when the connection has become useless.
 */
public interface ProtocolSession {

    void onText(String text);

    /** {@code data} is only valid during the call. */
    void onBinary(ByteBuffer data);

    /** The connection is gone (closed by either side, or failed). Releases everything; idempotent. */
    void onClosed(int code, String reason);
}
