package org.streamasr.captions;

import java.util.function.Consumer;

/** The transport of one caption subscriber (a WebSocket session in the server, a recorder in tests). */
public interface CaptionChannel {

    /**
     * Starts sending {@code text} and returns at once; {@code done} is called with null once it is sent or with the
     * error. The subscriber never starts a second send before {@code done} of the first.
     */
    void send(String text, Consumer<Throwable> done);

    /** Closes the channel with a WebSocket close code and reason. Idempotent. */
    void close(int code, String reason);

    /** Who is at the other end, for logs. */
    String describe();
}
