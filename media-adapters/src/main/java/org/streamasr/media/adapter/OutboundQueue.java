package org.streamasr.media.adapter;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.streamasr.runtime.DropCounter;
import org.streamasr.media.MediaMetrics;
import org.streamasr.media.OutboundDrain;

/**
 * A bounded, non-blocking outbound queue in front of one connection: messages are sent one at a time with the
 * transport's asynchronous send, in order. Callers (engine threads delivering transcripts, network threads answering
 * pings) never wait for the peer.
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

    private static final class Message {
        String text;
        final Priority priority;
        final String key;

        Message(String text, Priority priority, String key) {
            this.text = text;
            this.priority = priority;
            this.key = key;
        }
    }

    private final Transport transport;
    private final Limits limits;
    private final DropCounter drops;
    private final MediaMetrics metrics;
    private final String component;

    private final ArrayDeque<Message> queue = new ArrayDeque<>();
    private long queuedBytes;
    private boolean inFlight;
    private boolean pumping;
    private boolean closing;
    private boolean closed;
    private int closeCode;
    private String closeReason;
    private CompletableFuture<Void> drained;

    public OutboundQueue(Transport transport, Limits limits, MediaMetrics metrics, String component) {
        this.transport = transport;
        this.limits = limits;
        this.metrics = metrics;
        this.component = component;
        this.drops = metrics.dropCounter(component + ".outbound");
    }

    @Override
    public boolean sendText(String text, Priority priority, String coalesceKey) {
        String evictReason = null;
        synchronized (this) {
            if (closing || closed) {
                drops.drop("after-close", priority + " message after the connection closed");
                return false;
            }
            if (priority == Priority.PARTIAL && coalesceKey != null && replaceQueuedPartial(text, coalesceKey)) {
                metrics.counter(component + ".outbound.coalesced").increment();
            } else {
                queue.addLast(new Message(text, priority, coalesceKey));
                queuedBytes += text.length();
            }
            if (overLimits()) dropOldestPartials();
            if (overLimits()) {
                evictReason = "client too slow: " + queue.size() + " messages (" + queuedBytes + " chars) not yet sent";
                closed = true;
                queue.clear();
                queuedBytes = 0;
            }
        }
        if (evictReason != null) {
            metrics.counter(component + ".outbound.evicted").increment();
            drops.drop("evicted", evictReason);
            transport.close(CloseCodes.TRY_AGAIN_LATER, evictReason);
            notifyIfDrained();
            return false;
        }
        pump();
        return true;
    }

    @Override
    public void closeAfterFlush(int code, String reason) {
        synchronized (this) {
            if (closing || closed) return;
            closing = true;
            closeCode = code;
            closeReason = reason;
        }
        pump();
    }

    @Override
    public void closeNow(int code, String reason) {
        synchronized (this) {
            if (closed) return;
            closed = true;
            queue.clear();
            queuedBytes = 0;
        }
        transport.close(code, CloseCodes.fitReason(reason));
        notifyIfDrained();
    }

    @Override
    public synchronized boolean isOpen() {
        return !closing && !closed;
    }

    /** Messages waiting to be sent (not counting one in flight). */
    public synchronized int queuedMessages() {
        return queue.size();
    }

    /** The connection went away underneath (the peer closed it): drop what is queued, refuse the rest. */
    public void onTransportClosed() {
        synchronized (this) {
            closed = true;
            queue.clear();
            queuedBytes = 0;
        }
        notifyIfDrained();
    }

    @Override
    public synchronized CompletableFuture<Void> whenDrained() {
        if (isDrained()) return CompletableFuture.completedFuture(null);
        if (drained == null) drained = new CompletableFuture<>();
        return drained;
    }

    // Guarded by this.
    private boolean isDrained() {
        return closed || (queue.isEmpty() && !inFlight && !closing);
    }

    /** Tells whoever waits for the drain, once there is nothing left to send (outside the lock). */
    private void notifyIfDrained() {
        CompletableFuture<Void> waiting;
        synchronized (this) {
            if (drained == null || !isDrained()) return;
            waiting = drained;
            drained = null;
        }
        waiting.complete(null);
    }

    private boolean replaceQueuedPartial(String text, String key) {
        for (Message m : queue) {
            if (m.priority == Priority.PARTIAL && key.equals(m.key)) {
                queuedBytes += text.length() - m.text.length();
                m.text = text;
                return true;
            }
        }
        return false;
    }

    /** Over the limits, not counting a head message that goes out at once because nothing is in flight. */
    private boolean overLimits() {
        boolean headLeavesNow = !inFlight && !queue.isEmpty();
        long bytes = queuedBytes - (headLeavesNow ? queue.peekFirst().text.length() : 0);
        int messages = queue.size() - (headLeavesNow ? 1 : 0);
        return bytes > limits.maxQueuedBytes() || messages > limits.maxQueuedMessages();
    }

    private void dropOldestPartials() {
        Iterator<Message> it = queue.iterator();
        while (it.hasNext() && overLimits()) {
            Message m = it.next();
            if (m.priority == Priority.PARTIAL) {
                it.remove();
                queuedBytes -= m.text.length();
                drops.drop("partial-overflow", "peer slow; dropped a queued partial transcript");
            }
        }
    }

    /**
     * Sends queued messages one at a time. A transport that completes synchronously re-enters through
     * {@link #onSent}; the {@code pumping} flag turns that recursion into this loop.
     */
    private void pump() {
        synchronized (this) {
            if (pumping) return;
            pumping = true;
        }
        while (true) {
            Message next;
            boolean flushedAndClosing = false;
            boolean drainedNow = false;
            synchronized (this) {
                if (closed || inFlight) {
                    pumping = false;
                    return;
                }
                next = queue.pollFirst();
                if (next == null) {
                    pumping = false;
                    if (!closing) {
                        drainedNow = true;
                    } else {
                        closed = true;
                        flushedAndClosing = true;
                    }
                } else {
                    queuedBytes -= next.text.length();
                    inFlight = true;
                }
            }
            if (drainedNow) {
                notifyIfDrained();
                return;
            }
            if (flushedAndClosing) {
                transport.close(closeCode, CloseCodes.fitReason(closeReason));
                notifyIfDrained();
                return;
            }
            metrics.counter(component + ".outbound.sent").increment();
            transport.sendText(next.text, this::onSent);
        }
    }

    private void onSent(Throwable failure) {
        synchronized (this) {
            inFlight = false;
            if (failure != null) {
                closed = true;
                queue.clear();
                queuedBytes = 0;
            }
        }
        if (failure != null) {
            drops.drop("send-failed", String.valueOf(failure));
            transport.close(CloseCodes.GOING_AWAY, "send failed");
            notifyIfDrained();
            return;
        }
        pump();
    }
}
