package org.streamasr.captions;

import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.streamasr.media.TranscriptEvent;
import org.streamasr.media.TranscriptListener;
import org.streamasr.stream.CallEvents;

/**
 * Fans one call's transcripts out to its caption subscribers: each event is encoded once and offered to every
 * subscriber's own bounded queue (which never blocks). Keeps the call's recent finals, which a late joiner receives
 * before anything live. Runs on the call's event lane; {@link #subscribe} comes from network threads.
 */
public final class CaptionBroadcaster implements TranscriptListener {
    private final String callId;
    private final CaptionsConfig config;
    private final CallEvents events;
    private final ScheduledExecutorService scheduler;
    private final LongSupplier nanoTime;
    private final Runnable onEnded;
    private final List<CaptionSubscriber> subscribers = new CopyOnWriteArrayList<>();

    // Guarded by this: history and the subscriber set change together, so a joiner misses nothing and sees nothing
    // twice.
    private final ArrayDeque<TranscriptEvent> history = new ArrayDeque<>();
    private String endedReason;
    // The number of the last event published (live events and the end), for relays to other nodes.
    private long seq;
    private volatile CaptionRelayFeed relay;

    CaptionBroadcaster(String callId, CaptionsConfig config, CallEvents events, ScheduledExecutorService scheduler,
                       LongSupplier nanoTime, Runnable onEnded) {
        this.callId = callId;
        this.config = config;
        this.events = events;
        this.scheduler = scheduler;
        this.nanoTime = nanoTime;
        this.onEnded = onEnded;
    }

    public String callId() {
        return callId;
    }

    /** Also publishes this call's events to {@code feed} (cluster mode). */
    void relayTo(CaptionRelayFeed feed) {
        this.relay = feed;
    }

    /** The recent finals a late joiner receives first, and the number of the last event they include. */
    synchronized CaptionRelayFeed.Replay replay() throws SubscriptionRejectedException {
        if (endedReason != null) throw new SubscriptionRejectedException("call ended: " + endedReason);
        java.util.List<CaptionMessage> out = new java.util.ArrayList<>(history.size());
        for (TranscriptEvent e : history) out.add(CaptionMessage.of(CaptionJson.key(e), true, CaptionJson.event(e, true)));
        return new CaptionRelayFeed.Replay(out, seq);
    }

    public int subscriberCount() {
        return subscribers.size();
    }

    /** Subscribes {@code channel}: it receives the call's recent finals, then live events. */
    public CaptionSubscriber subscribe(CaptionChannel channel) throws SubscriptionRejectedException {
        CaptionSubscriber s = new CaptionSubscriber(channel, config.subscriberMaxQueuedBytes(),
                config.sendTimeout().toNanos(), nanoTime, this::closed);
        synchronized (this) {
            if (endedReason != null) throw new SubscriptionRejectedException("call ended: " + endedReason);
            if (subscribers.size() >= config.maxSubscribersPerCall()) {
                throw new SubscriptionRejectedException("too many caption subscribers for this call ("
                        + config.maxSubscribersPerCall() + ")");
            }
            subscribers.add(s);
            events.subscriberOpened(callId);
            for (TranscriptEvent e : history) {
                s.offer(CaptionMessage.of(CaptionJson.key(e), true, CaptionJson.event(e, true)));
            }
        }
        return s;
    }

    @Override
    public void onTranscript(TranscriptEvent event) {
        CaptionMessage m = CaptionMessage.of(CaptionJson.key(event), event.isFinal(), CaptionJson.event(event, false));
        synchronized (this) {
            if (event.isFinal() && config.history() > 0) {
                history.addLast(event);
                while (history.size() > config.history()) history.removeFirst();
            }
            for (CaptionSubscriber s : subscribers) s.offer(m);
            CaptionRelayFeed feed = relay;
            seq++;
            if (feed != null) feed.published(callId, seq, m);
        }
    }

    @Override
    public void onCallEnded(String callId, String reason) {
        CaptionMessage last = CaptionMessage.control(CaptionJson.ended(callId, reason));
        List<CaptionSubscriber> finishing;
        synchronized (this) {
            endedReason = reason;
            finishing = List.copyOf(subscribers);
            CaptionRelayFeed feed = relay;
            seq++;
            if (feed != null) feed.ended(callId, seq, last, reason);
        }
        for (CaptionSubscriber s : finishing) s.finish(last, "call ended: " + reason);
        if (!finishing.isEmpty()) {
            scheduler.schedule(() -> {
                for (CaptionSubscriber s : finishing) s.abandonIfStuck("call ended but captions could not be delivered");
            }, config.sendTimeout().toMillis(), TimeUnit.MILLISECONDS);
        }
        onEnded.run();
    }

    /** Closes the subscribers whose send in flight is past the send timeout (the captions timer calls this). */
    void checkSendTimeouts() {
        for (CaptionSubscriber s : subscribers) s.evictIfSendStuck();
    }

    private void closed(CaptionSubscriber s, CaptionSubscriber.Closed why) {
        if (subscribers.remove(s)) events.subscriberClosed(callId, why.reason(), why.evicted());
    }
}
