package org.streamasr.media.adapter;

import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.streamasr.media.MediaMetrics;
import org.streamasr.media.OutboundDrain;
import org.streamasr.runtime.BoundedSender;
import org.streamasr.runtime.DropCounter;

/**
 * A media adapter's outbound queue in front of one connection: the runtime kit's {@link BoundedSender} with the
 * adapters' policy and counters. Callers (engine threads delivering transcripts, network threads answering pings)
 * never wait for the peer.
 *
 * <p>Overflow policy, checked on every enqueue against {@link Limits}: a queued, unsent partial with the same coalesce
 * key is replaced by the newer one (counted "coalesced"); past the limits the oldest queued partials are dropped
 * (counted per reason "partial-overflow"); if the queue is still over its limits with only finals and control
 * messages left, the peer cannot keep up and is closed with {@link CloseCodes#TRY_AGAIN_LATER} and a reason (counted
 * "evicted"). Finals are never dropped from an open channel.
 */
public final class OutboundQueue implements OutboundChannel, OutboundDrain.Queue {

    /** How a queue reaches its peer. */
    public interface Transport {
        /** Starts sending; {@code done} is called once, with {@code null} on success, possibly on another thread. */
        void sendText(String text, Consumer<Throwable> done);

        /** Closes the connection with a code and reason. */
        void close(int code, String reason);
    }

    /**
     * @param maxQueuedBytes    characters that may wait to be sent (the in-flight message not counted)
     * @param maxQueuedMessages messages that may wait to be sent
     */
    public record Limits(int maxQueuedBytes, int maxQueuedMessages) {
        public Limits {
            if (maxQueuedBytes < 1) throw new IllegalArgumentException("maxQueuedBytes must be >= 1");
            if (maxQueuedMessages < 1) throw new IllegalArgumentException("maxQueuedMessages must be >= 1");
        }

        public static Limits defaults() {
            return new Limits(1 << 20, 1024);
        }
    }

    private final BoundedSender sender;

    public OutboundQueue(Transport transport, Limits limits, MediaMetrics metrics, String component) {
        DropCounter drops = metrics.dropCounter(component + ".outbound");
        BoundedSender.Policy policy = new BoundedSender.Policy(limits.maxQueuedBytes(), limits.maxQueuedMessages(),
                true, false, CloseCodes.TRY_AGAIN_LATER,
                (messages, chars) -> "client too slow: " + messages + " messages (" + chars + " chars) not yet sent",
                0, CloseCodes.GOING_AWAY);
        BoundedSender.Listener listener = new BoundedSender.Listener() {
            @Override
            public void sent() {
                metrics.counter(component + ".outbound.sent").increment();
            }

            @Override
            public void coalesced() {
                metrics.counter(component + ".outbound.coalesced").increment();
            }

            @Override
            public void partialDropped() {
                drops.drop("partial-overflow", "peer slow; dropped a queued partial transcript");
            }

            @Override
            public void refusedAfterClose() {
                drops.drop("after-close", "message after the connection closed");
            }

            @Override
            public void closed(BoundedSender.Closed closed) {
                if (closed.evicted()) {
                    metrics.counter(component + ".outbound.evicted").increment();
                    drops.drop("evicted", closed.reason());
                } else if (closed.cause() == BoundedSender.Cause.SEND_FAILED) {
                    drops.drop("send-failed", closed.reason());
                }
            }
        };
        BoundedSender.Transport fitted = new BoundedSender.Transport() {
            @Override
            public void send(String text, Consumer<Throwable> done) {
                transport.sendText(text, done);
            }

            @Override
            public void close(int code, String reason) {
                transport.close(code, CloseCodes.fitReason(reason));
            }
        };
        this.sender = new BoundedSender(fitted, policy, System::nanoTime, listener);
    }

    @Override
    public boolean sendText(String text, Priority priority, String coalesceKey) {
        return sender.offer(text, text.length(), priority == Priority.PARTIAL, coalesceKey);
    }

    @Override
    public void closeAfterFlush(int code, String reason) {
        sender.finish(null, 0, code, reason);
    }

    @Override
    public void closeNow(int code, String reason) {
        sender.closeNow(code, reason);
    }

    @Override
    public boolean isOpen() {
        return sender.isOpen();
    }

    /** Messages waiting to be sent (not counting one in flight). */
    public int queuedMessages() {
        return sender.queuedMessages();
    }

    /** The connection went away underneath (the peer closed it): drop what is queued, refuse the rest. */
    public void onTransportClosed() {
        sender.peerGone("transport closed");
    }

    @Override
    public CompletableFuture<Void> whenDrained() {
        return sender.whenDrained();
    }
}
