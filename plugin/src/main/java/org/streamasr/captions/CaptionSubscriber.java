package org.streamasr.captions;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;

/**
 * One caption subscriber's outgoing queue (OkHttp's {@code RealWebSocket} policy): {@link #offer} never blocks, at
 * most one send is in flight, a partial waiting to be sent is replaced by the newer partial of the same utterance
 * (and dropped when its final arrives), finals are never dropped. A subscriber whose waiting bytes pass the limit,
 * or whose send has not completed within the send timeout, is closed with code 1008 and a reason: it cannot keep up,
 * and it never slows the others. The send timeout is checked on each offer and by the captions timer
 * ({@link #evictIfSendStuck()}), so a subscriber stuck on its last send is closed even when no caption follows.
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

    private static final class Entry {
        final boolean isFinal;
        CaptionMessage message;
        boolean superseded;

        Entry(CaptionMessage message) {
            this.isFinal = message.isFinal();
            this.message = message;
        }
    }

    private final CaptionChannel channel;
    private final long maxQueuedBytes;
    private final long sendTimeoutNanos;
    private final LongSupplier nanoTime;
    private final CloseListener onClose;

    // Guarded by this.
    private final ArrayDeque<Entry> queue = new ArrayDeque<>();
    private final Map<String, Entry> pendingPartials = new HashMap<>();
    private long queuedBytes;
    private boolean inFlight;
    private long inFlightSinceNanos;
    private boolean pumping;
    private boolean closed;
    private Closed closeWhenDrained;
    private long sent;
    private long coalesced;
    private CompletableFuture<Void> drained;
    private final CompletableFuture<Closed> closedFuture = new CompletableFuture<>();

    public CaptionSubscriber(CaptionChannel channel, long maxQueuedBytes, long sendTimeoutNanos, LongSupplier nanoTime,
                             CloseListener onClose) {
        this.channel = channel;
        this.maxQueuedBytes = maxQueuedBytes;
        this.sendTimeoutNanos = sendTimeoutNanos;
        this.nanoTime = nanoTime;
        this.onClose = onClose;
    }

    public CaptionChannel channel() {
        return channel;
    }

    /** Queues one caption message; returns at once. */
    public void offer(CaptionMessage m) {
        String evictReason = null;
        synchronized (this) {
            if (closed || closeWhenDrained != null) return;
            Entry pending = pendingPartials.remove(m.key());
            if (pending != null) {
                queuedBytes -= pending.message.bytes();
                coalesced++;
                if (m.isFinal()) {
                    pending.superseded = true;
                } else {
                    pending.message = m;
                    queuedBytes += m.bytes();
                    pendingPartials.put(m.key(), pending);
                }
            }
            if (m.isFinal() || pending == null) {
                Entry e = new Entry(m);
                queue.add(e);
                queuedBytes += m.bytes();
                if (!m.isFinal()) pendingPartials.put(m.key(), e);
            }
            if (queuedBytes > maxQueuedBytes) {
                evictReason = "too slow: " + queuedBytes + " bytes of captions waiting (limit " + maxQueuedBytes + ")";
            } else if (sendStuck()) {
                evictReason = sendStuckReason();
            }
        }
        if (evictReason != null) {
            close(CLOSE_TOO_SLOW, new Closed(evictReason, true));
            return;
        }
        pump();
    }

    /** Sends what is queued, then {@code last}, then closes normally with {@code reason}. */
    public void finish(CaptionMessage last, String reason) {
        synchronized (this) {
            if (closed || closeWhenDrained != null) return;
            queue.add(new Entry(last));
            queuedBytes += last.bytes();
            closeWhenDrained = new Closed(reason, false);
        }
        pump();
    }

    /**
     * Closes the subscriber (1008, evicted) if its send in flight has not completed within the send timeout; the
     * captions timer calls this. Returns whether it did.
     */
    public boolean evictIfSendStuck() {
        synchronized (this) {
            if (closed || !sendStuck()) return false;
        }
        close(CLOSE_TOO_SLOW, new Closed(sendStuckReason(), true));
        return true;
    }

    // Guarded by this.
    private boolean sendStuck() {
        return inFlight && nanoTime.getAsLong() - inFlightSinceNanos > sendTimeoutNanos;
    }

    private String sendStuckReason() {
        return "too slow: a send has not completed in " + sendTimeoutNanos / 1_000_000 + " ms";
    }

    /** Forces the close now if a send is still stuck (called when finishing took too long). */
    public void abandonIfStuck(String reason) {
        synchronized (this) {
            if (closed) return;
        }
        close(CLOSE_TOO_SLOW, new Closed(reason, true));
    }

    /** Closes now, normally (server shutdown). */
    public void closeNow(int code, String reason) {
        close(code, new Closed(reason, false));
    }

    /** The remote side went away (or the transport failed): stop without sending anything more. */
    public void remoteClosed(String reason) {
        Closed why = new Closed(reason, false);
        if (markClosed()) {
            try {
                onClose.closed(this, why);
            } finally {
                closedFuture.complete(why);
            }
        }
    }

    /**
     * Completes once everything offered so far has been sent (nothing queued, nothing in flight, no close pending) or
     * the subscriber is closed, whichever comes first; shutdown waits on it before closing the transport.
     */
    public synchronized CompletableFuture<Void> whenDrained() {
        if (closed || (queue.isEmpty() && !inFlight && closeWhenDrained == null)) {
            return CompletableFuture.completedFuture(null);
        }
        if (drained == null) drained = new CompletableFuture<>();
        return drained;
    }

    /** Completes with the reason once the subscriber is closed, whoever closed it. */
    public CompletableFuture<Closed> whenClosed() {
        return closedFuture;
    }

    /** Stops the subscriber; false if it already was. */
    private boolean markClosed() {
        CompletableFuture<Void> waiting;
        synchronized (this) {
            if (closed) return false;
            closed = true;
            queue.clear();
            pendingPartials.clear();
            queuedBytes = 0;
            waiting = drained;
            drained = null;
        }
        if (waiting != null) waiting.complete(null);
        return true;
    }

    /** The queue ran empty with nothing in flight: whoever waits for the drain is told (outside the lock). */
    private void notifyDrained() {
        CompletableFuture<Void> waiting;
        synchronized (this) {
            if (!queue.isEmpty() || inFlight || closeWhenDrained != null) return;
            waiting = drained;
            drained = null;
        }
        if (waiting != null) waiting.complete(null);
    }

    public synchronized boolean isClosed() {
        return closed;
    }

    public synchronized long queuedBytes() {
        return queuedBytes;
    }

    public synchronized long sentCount() {
        return sent;
    }

    public synchronized long coalescedCount() {
        return coalesced;
    }

    private void pump() {
        synchronized (this) {
            if (pumping) return;
            pumping = true;
        }
        try {
            while (true) {
                String next;
                Closed finished = null;
                synchronized (this) {
                    if (closed || inFlight) {
                        pumping = false;
                        return;
                    }
                    Entry e = queue.poll();
                    while (e != null && e.superseded) e = queue.poll();
                    if (e == null) {
                        pumping = false;
                        finished = closeWhenDrained;
                        next = null;
                    } else {
                        if (!e.isFinal) pendingPartials.remove(e.message.key(), e);
                        queuedBytes -= e.message.bytes();
                        inFlight = true;
                        inFlightSinceNanos = nanoTime.getAsLong();
                        next = e.message.json();
                    }
                }
                if (next == null) {
                    if (finished != null) close(CLOSE_NORMAL, finished);
                    else notifyDrained();
                    return;
                }
                channel.send(next, this::sent);
            }
        } catch (RuntimeException e) {
            synchronized (this) {
                pumping = false;
            }
            close(CLOSE_NORMAL, new Closed("send failed: " + e, false));
        }
    }

    private void sent(Throwable error) {
        if (error != null) {
            remoteClosed("send failed: " + error);
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

    private void close(int code, Closed why) {
        if (!markClosed()) return;
        try {
            channel.close(code, why.reason());
        } finally {
            try {
                onClose.closed(this, why);
            } finally {
                closedFuture.complete(why);
            }
        }
    }
}
