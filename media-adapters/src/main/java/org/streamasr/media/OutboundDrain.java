package org.streamasr.media;

import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the media adapters of one server still have to send back to media servers (transcripts waiting on a
 * connection's outbound queue). Each open connection's queue is registered while the connection is open, so that a
 * graceful shutdown can let them flush before the listener stops: the server waits on {@link #drained()}, bounded.
 * Thread-safe.
 */
public final class OutboundDrain {

    /** An outbound queue that can tell when it has sent everything it was given. */
    public interface Queue {
        /** Completes once nothing is queued or in flight and no close is pending, or once the queue is closed. */
        CompletableFuture<Void> whenDrained();
    }

    private final Set<Queue> open = ConcurrentHashMap.newKeySet();

    public void opened(Queue queue) {
        open.add(queue);
    }

    public void closed(Queue queue) {
        open.remove(queue);
    }

    /** Connections open now. */
    public int openCount() {
        return open.size();
    }

    /** Completes when every queue open now has drained (or closed). */
    public CompletableFuture<Void> drained() {
        return CompletableFuture.allOf(open.stream().map(Queue::whenDrained).toArray(CompletableFuture[]::new));
    }
}
