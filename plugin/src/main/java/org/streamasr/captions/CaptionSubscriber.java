package org.streamasr.captions;

import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.streamasr.runtime.BoundedSender;

/**
 * One caption subscriber's outgoing queue: the runtime kit's {@link BoundedSender} with the captions' policy.
 * {@link #offer} never blocks, at most one send is in flight, a partial waiting to be sent is replaced by the newer
 * partial of the same utterance (and dropped when its final arrives), finals are never dropped. A subscriber whose
 * waiting bytes pass the limit, or whose send has not completed within the send timeout, is closed with code 1008 and
 * a reason: it cannot keep up, and it never slows the others. The send timeout is checked on each offer and by the
 * captions timer ({@link #evictIfSendStuck()}), so a subscriber stuck on its last send is closed even when no caption
 * follows.
 */
public final class CaptionSubscriber {
    /** RFC 6455 "policy violation": the subscriber fell too far behind. */
    public static final int CLOSE_TOO_SLOW = 1008;
    public static final int CLOSE_NORMAL = 1000;
    public static final int CLOSE_GOING_AWAY = 1001;

    /** Why a subscriber went away. */
    public record Closed(String reason, boolean evicted) {
    }

    /** Told once when the subscriber is gone, whoever closed it. */
    public interface CloseListener {
        void closed(CaptionSubscriber subscriber, Closed closed);
    }

    private final CaptionChannel channel;
    private final BoundedSender sender;
    private final CompletableFuture<Closed> closedFuture = new CompletableFuture<>();

    public CaptionSubscriber(CaptionChannel channel, long maxQueuedBytes, long sendTimeoutNanos, LongSupplier nanoTime,
                             CloseListener onClose) {
        this.channel = channel;
        BoundedSender.Policy policy = new BoundedSender.Policy(maxQueuedBytes, Integer.MAX_VALUE, false, true,
                CLOSE_TOO_SLOW,
                (messages, bytes) -> "too slow: " + bytes + " bytes of captions waiting (limit " + maxQueuedBytes + ")",
                sendTimeoutNanos, 0);
        BoundedSender.Transport transport = new BoundedSender.Transport() {
            @Override
            public void send(String text, Consumer<Throwable> done) {
                channel.send(text, done);
            }

            @Override
            public void close(int code, String reason) {
                channel.close(code, reason);
            }
        };
        this.sender = new BoundedSender(transport, policy, nanoTime, new BoundedSender.Listener() {
            @Override
            public void closed(BoundedSender.Closed closed) {
                Closed why = new Closed(closed.reason(), closed.evicted());
                try {
                    onClose.closed(CaptionSubscriber.this, why);
                } finally {
                    closedFuture.complete(why);
                }
            }
        });
    }

    public CaptionChannel channel() {
        return channel;
    }

    /** Queues one caption message; returns at once. */
    public void offer(CaptionMessage m) {
        sender.offer(m.json(), m.bytes(), !m.isFinal(), m.key());
    }

    /** Sends what is queued, then {@code last}, then closes normally with {@code reason}. */
    public void finish(CaptionMessage last, String reason) {
        sender.finish(last.json(), last.bytes(), CLOSE_NORMAL, reason);
    }

    /**
     * Closes the subscriber (1008, evicted) if its send in flight has not completed within the send timeout; the
     * captions timer calls this. Returns whether it did.
     */
    public boolean evictIfSendStuck() {
        return sender.evictIfSendStuck();
    }

    /** Forces the close now if a send is still stuck (called when finishing took too long). */
    public void abandonIfStuck(String reason) {
        sender.evictNow(reason);
    }

    /** Closes now, normally (server shutdown). */
    public void closeNow(int code, String reason) {
        sender.closeNow(code, reason);
    }

    /** The remote side went away (or the transport failed): stop without sending anything more. */
    public void remoteClosed(String reason) {
        sender.peerGone(reason);
    }

    /**
     * Completes once everything offered so far has been sent (nothing queued, nothing in flight, no close pending) or
     * the subscriber is closed, whichever comes first; shutdown waits on it before closing the transport.
     */
    public CompletableFuture<Void> whenDrained() {
        return sender.whenDrained();
    }

    /** Completes with the reason once the subscriber is closed, whoever closed it. */
    public CompletableFuture<Closed> whenClosed() {
        return closedFuture;
    }

    public boolean isClosed() {
        return sender.isClosed();
    }

    public long queuedBytes() {
        return sender.queuedSize();
    }

    public long sentCount() {
        return sender.sentCount();
    }

    public long coalescedCount() {
        return sender.coalescedCount();
    }
}
