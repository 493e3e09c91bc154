package org.streamasr.runtime;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * The one bounded, non-blocking sender in front of a peer (OkHttp's {@code RealWebSocket} policy): {@link #offer}
 * never blocks, at most one send is in flight, messages go out in order. A partial waiting to be sent is replaced by
 * a newer partial of the same key (counted "coalesced"); with {@link Policy#finalSupersedesPartial} a final also
 * removes its key's waiting partial (otherwise a final or control message of the key freezes it: it is sent, in
 * order, and no longer replaced). Past the limits the oldest waiting partials may be dropped
 * ({@link Policy#dropPartialsOnOverflow}); a peer still over its limits, or whose send has been in flight past the
 * send timeout, is closed with {@link Policy#evictCode} and a reason: it cannot keep up. Finals are never dropped
 * from an open sender. The media adapters' {@code OutboundQueue} and the captions' {@code CaptionSubscriber} are thin
 * adapters over it.
 */
public final class BoundedSender {

    /** How the sender reaches its peer. */
    public interface Transport {
        /** Starts sending; {@code done} is called once, with {@code null} on success, possibly on another thread. */
        void send(String text, Consumer<Throwable> done);

        /** Closes the connection with a code and reason. */
        void close(int code, String reason);
    }

    /** Why the sender stopped. */
    public enum Cause { NORMAL, EVICTED, SEND_FAILED, PEER_GONE }

    /** How a sender stopped: its reason and cause. */
    public record Closed(String reason, Cause cause) {
        public boolean evicted() {
            return cause == Cause.EVICTED;
        }
    }

    /** What the sender tells its owner (counters, logs); called outside the lock. */
    public interface Listener {
        default void sent() {
        }

        default void coalesced() {
        }

        default void partialDropped() {
        }

        default void refusedAfterClose() {
        }

        /** Told once, whoever closed the sender. */
        default void closed(Closed closed) {
        }
    }

    /** Writes the reason a slow peer is closed with, from what is waiting. */
    public interface EvictReason {
        String describe(int queuedMessages, long queuedSize);
    }

    /**
     * @param maxQueuedSize          size units (bytes or chars, whatever the caller counts) that may wait, the message
     *                               leaving at once not counted
     * @param maxQueuedMessages      messages that may wait
     * @param dropPartialsOnOverflow drop the oldest waiting partials before closing a peer that is over its limits
     * @param finalSupersedesPartial a final removes the waiting partial of its key
     * @param evictCode              the close code of a peer that cannot keep up
     * @param evictReason            its reason
     * @param sendTimeoutNanos       a send in flight longer than this evicts the peer; 0: no timeout
     * @param sendFailedCloseCode    the close code after a failed send; 0: the transport is not closed (it failed)
     */
    public record Policy(long maxQueuedSize, int maxQueuedMessages, boolean dropPartialsOnOverflow,
                         boolean finalSupersedesPartial, int evictCode, EvictReason evictReason, long sendTimeoutNanos,
                         int sendFailedCloseCode) {
        public Policy {
            if (maxQueuedSize < 1) throw new IllegalArgumentException("maxQueuedSize must be >= 1");
            if (maxQueuedMessages < 1) throw new IllegalArgumentException("maxQueuedMessages must be >= 1");
            if (sendTimeoutNanos < 0) throw new IllegalArgumentException("sendTimeoutNanos must be >= 0");
        }
    }

    private static final class Entry {
        String text;
        int size;
        final boolean partial;
        final String key;
        boolean superseded;

        Entry(String text, int size, boolean partial, String key) {
            this.text = text;
            this.size = size;
            this.partial = partial;
            this.key = key;
        }
    }

    private final Transport transport;
    private final Policy policy;
    private final LongSupplier nanoTime;
    private final Listener listener;

    // Guarded by this.
    private final ArrayDeque<Entry> queue = new ArrayDeque<>();
    private final Map<String, Entry> waitingPartials = new HashMap<>();
    private long queuedSize;
    private int liveEntries;
    private boolean inFlight;
    private long inFlightSinceNanos;
    private boolean pumping;
    private boolean closed;
    private boolean closing;
    private int closeCode;
    private Closed closeWhenDrained;
    private long sent;
    private long coalesced;
    private CompletableFuture<Void> drained;
    private final CompletableFuture<Closed> closedFuture = new CompletableFuture<>();

    public BoundedSender(Transport transport, Policy policy, LongSupplier nanoTime, Listener listener) {
        this.transport = transport;
        this.policy = policy;
        this.nanoTime = nanoTime;
        this.listener = listener;
    }

    /**
     * Queues one message and returns at once: false if it was refused (the sender is closed or closing, or this
     * message made it evict the peer).
     *
     * @param size    what the limits count for it
     * @param partial partials are coalesced by {@code key} and may be dropped; everything else never is
     */
    public boolean offer(String text, int size, boolean partial, String key) {
        String evictReason = null;
        boolean wasCoalesced = false;
        synchronized (this) {
            if (closed || closing) {
                evictReason = "";
            } else {
                Entry waiting = key == null ? null : waitingPartials.get(key);
                if (waiting != null && partial) {
                    queuedSize += size - waiting.size;
                    waiting.text = text;
                    waiting.size = size;
                    coalesced++;
                    wasCoalesced = true;
                } else {
                    if (waiting != null && policy.finalSupersedesPartial()) {
                        waitingPartials.remove(key);
                        waiting.superseded = true;
                        liveEntries--;
                        queuedSize -= waiting.size;
                        coalesced++;
                        wasCoalesced = true;
                    } else if (waiting != null) {
                        waitingPartials.remove(key);   // stays queued, before this one: a later partial must not overtake it
                    }
                    Entry e = new Entry(text, size, partial, key);
                    queue.addLast(e);
                    liveEntries++;
                    queuedSize += size;
                    if (partial && key != null) waitingPartials.put(key, e);
                }
                if (overLimits() && policy.dropPartialsOnOverflow()) dropOldestPartials();
                if (overLimits()) {
                    evictReason = policy.evictReason().describe(liveEntries, queuedSize);
                } else if (sendStuck()) {
                    evictReason = sendStuckReason();
                }
            }
        }
        if (wasCoalesced) listener.coalesced();
        if (evictReason != null) {
            if (evictReason.isEmpty()) {
                listener.refusedAfterClose();
            } else {
                close(policy.evictCode(), new Closed(evictReason, Cause.EVICTED));
            }
            return false;
        }
        pump();
        return true;
    }

    /** Sends what is queued, then {@code last} (if not null), then closes with {@code code} and {@code reason}. */
    public void finish(String last, int lastSize, int code, String reason) {
        synchronized (this) {
            if (closed || closing) return;
            if (last != null) {
                queue.addLast(new Entry(last, lastSize, false, null));
                liveEntries++;
                queuedSize += lastSize;
            }
            closing = true;
            closeCode = code;
            closeWhenDrained = new Closed(reason, Cause.NORMAL);
        }
        pump();
    }

    /**
     * Closes the peer ({@link Policy#evictCode}, evicted) if its send in flight has not completed within the send
     * timeout; a timer calls this. Returns whether it did.
     */
    public boolean evictIfSendStuck() {
        synchronized (this) {
            if (closed || !sendStuck()) return false;
        }
        close(policy.evictCode(), new Closed(sendStuckReason(), Cause.EVICTED));
        return true;
    }

    /** Closes now, evicted, whatever is queued (a finish that could not be delivered in time). */
    public void evictNow(String reason) {
        close(policy.evictCode(), new Closed(reason, Cause.EVICTED));
    }

    /** Closes now with {@code code}, dropping what is queued. */
    public void closeNow(int code, String reason) {
        close(code, new Closed(reason, Cause.NORMAL));
    }

    /** The peer went away underneath (or the transport failed): stop without sending or closing anything. */
    public void peerGone(String reason) {
        if (markClosed()) tellClosed(new Closed(reason, Cause.PEER_GONE));
    }

    /** Open: neither closed nor closing. */
    public synchronized boolean isOpen() {
        return !closed && !closing;
    }

    public synchronized boolean isClosed() {
        return closed;
    }

    /** Messages waiting to be sent (not counting one in flight). */
    public synchronized int queuedMessages() {
        return liveEntries;
    }

    public synchronized long queuedSize() {
        return queuedSize;
    }

    public synchronized long sentCount() {
        return sent;
    }

    public synchronized long coalescedCount() {
        return coalesced;
    }

    /**
     * Completes once everything offered so far has been sent (nothing queued, nothing in flight, no close pending) or
     * the sender is closed, whichever comes first.
     */
    public synchronized CompletableFuture<Void> whenDrained() {
        if (isDrained()) return CompletableFuture.completedFuture(null);
        if (drained == null) drained = new CompletableFuture<>();
        return drained;
    }

    /** Completes with the reason once the sender is closed, whoever closed it. */
    public CompletableFuture<Closed> whenClosed() {
        return closedFuture;
    }

    // Guarded by this.
    private boolean isDrained() {
        return closed || (liveEntries == 0 && !inFlight && !closing);
    }

    // Guarded by this.
    private boolean sendStuck() {
        return policy.sendTimeoutNanos() > 0 && inFlight
                && nanoTime.getAsLong() - inFlightSinceNanos > policy.sendTimeoutNanos();
    }

    private String sendStuckReason() {
        return "too slow: a send has not completed in " + policy.sendTimeoutNanos() / 1_000_000 + " ms";
    }

    /** Over the limits, not counting a head message that goes out at once because nothing is in flight. */
    private boolean overLimits() {
        Entry head = inFlight ? null : firstLive();
        long size = queuedSize - (head != null ? head.size : 0);
        int messages = liveEntries - (head != null ? 1 : 0);
        return size > policy.maxQueuedSize() || messages > policy.maxQueuedMessages();
    }

    private Entry firstLive() {
        for (Entry e : queue) if (!e.superseded) return e;
        return null;
    }

    private void dropOldestPartials() {
        Iterator<Entry> it = queue.iterator();
        int dropped = 0;
        while (it.hasNext() && overLimits()) {
            Entry e = it.next();
            if (e.partial && !e.superseded) {
                it.remove();
                if (e.key != null) waitingPartials.remove(e.key, e);
                liveEntries--;
                queuedSize -= e.size;
                dropped++;
            }
        }
        for (int i = 0; i < dropped; i++) listener.partialDropped();
    }

    /** Stops the sender; false if it already was. */
    private boolean markClosed() {
        CompletableFuture<Void> waiting;
        synchronized (this) {
            if (closed) return false;
            closed = true;
            queue.clear();
            waitingPartials.clear();
            queuedSize = 0;
            liveEntries = 0;
            waiting = drained;
            drained = null;
        }
        if (waiting != null) waiting.complete(null);
        return true;
    }

    private void close(int code, Closed why) {
        if (!markClosed()) return;
        try {
            transport.close(code, why.reason());
        } finally {
            tellClosed(why);
        }
    }

    private void tellClosed(Closed why) {
        try {
            listener.closed(why);
        } finally {
            closedFuture.complete(why);
        }
    }

    /** The queue ran empty with nothing in flight: whoever waits for the drain is told (outside the lock). */
    private void notifyIfDrained() {
        CompletableFuture<Void> waiting;
        synchronized (this) {
            if (drained == null || !isDrained()) return;
            waiting = drained;
            drained = null;
        }
        waiting.complete(null);
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
        try {
            while (true) {
                String next;
                Closed finished = null;
                int code = 0;
                synchronized (this) {
                    if (closed || inFlight) {
                        pumping = false;
                        return;
                    }
                    Entry e = queue.pollFirst();
                    while (e != null && e.superseded) e = queue.pollFirst();
                    if (e == null) {
                        pumping = false;
                        finished = closeWhenDrained;
                        code = closeCode;
                        next = null;
                    } else {
                        if (e.partial && e.key != null) waitingPartials.remove(e.key, e);
                        liveEntries--;
                        queuedSize -= e.size;
                        inFlight = true;
                        inFlightSinceNanos = nanoTime.getAsLong();
                        next = e.text;
                    }
                }
                if (next == null) {
                    if (finished != null) close(code, finished);
                    else notifyIfDrained();
                    return;
                }
                listener.sent();
                transport.send(next, this::onSent);
            }
        } catch (RuntimeException e) {
            synchronized (this) {
                pumping = false;
            }
            sendFailed(e);
        }
    }

    private void onSent(Throwable failure) {
        if (failure != null) {
            sendFailed(failure);
            return;
        }
        boolean resume;
        synchronized (this) {
            inFlight = false;
            sent++;
            resume = !pumping;
        }
        if (resume) pump();
    }

    private void sendFailed(Throwable failure) {
        synchronized (this) {
            inFlight = false;
        }
        Closed why = new Closed("send failed: " + failure, Cause.SEND_FAILED);
        if (!markClosed()) return;
        try {
            if (policy.sendFailedCloseCode() != 0) transport.close(policy.sendFailedCloseCode(), "send failed");
        } finally {
            tellClosed(why);
        }
    }
}
