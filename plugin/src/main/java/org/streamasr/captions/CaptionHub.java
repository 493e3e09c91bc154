package org.streamasr.captions;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.streamasr.stream.CallEvents;
import org.streamasr.stream.CallRegistry;
import org.streamasr.stream.CallSession;

/**
 * The captions of every live call: attaches a {@link CaptionBroadcaster} to each call as it opens and admits
 * subscribers that present the call's token. A timer on the scheduler checks every subscriber's send timeout (a
 * quarter of asr.captions.send-timeout apart, at most a second), so one stuck on a send is closed even when its call
 * says nothing more.
 */
public final class CaptionHub {
    /** The refusal of a subscription: it does not say whether the call exists. */
    static final String REFUSED = "unknown call or wrong token";

    private final CallRegistry calls;
    private final CaptionsConfig config;
    private final CallEvents events;
    private final ScheduledExecutorService scheduler;
    private final LongSupplier nanoTime;
    private final Map<String, CaptionBroadcaster> broadcasters = new ConcurrentHashMap<>();
    private final ScheduledFuture<?> sendTimeoutSweep;
    // Every subscriber until it is closed, those of calls that ended and are still sending their last captions too.
    private final Set<CaptionSubscriber> connected = ConcurrentHashMap.newKeySet();
    // Subscribers to calls of other nodes (cluster mode), whose send timeouts the timer checks too.
    private final Set<CaptionSubscriber> relayed = ConcurrentHashMap.newKeySet();
    private volatile CaptionRelayFeed relayFeed;
    private volatile RemoteCaptions remote = RemoteCaptions.NONE;

    public CaptionHub(CallRegistry calls, CaptionsConfig config, CallEvents events, ScheduledExecutorService scheduler,
                      LongSupplier nanoTime) {
        this.calls = calls;
        this.config = config;
        this.events = events;
        this.scheduler = scheduler;
        this.nanoTime = nanoTime;
        calls.onCallOpened(this::attach);
        long period = sweepPeriodMillis(config.sendTimeout());
        this.sendTimeoutSweep = scheduler.scheduleWithFixedDelay(this::checkSendTimeouts, period, period,
                TimeUnit.MILLISECONDS);
    }

    static long sweepPeriodMillis(Duration sendTimeout) {
        return Math.max(10, Math.min(1_000, sendTimeout.toMillis() / 4));
    }

    /** Closes the subscribers whose send has been in flight past the send timeout, in every call. */
    void checkSendTimeouts() {
        for (CaptionBroadcaster b : broadcasters.values()) b.checkSendTimeouts();
        for (CaptionSubscriber s : relayed) s.evictIfSendStuck();
    }

    /**
     * Cluster mode: every call's events also go to {@code feed} (the other nodes), and a subscription to a call this
     * node does not hold goes to {@code remote}.
     */
    public void relay(CaptionRelayFeed feed, RemoteCaptions remote) {
        this.relayFeed = feed;
        this.remote = remote;
        for (CaptionBroadcaster b : broadcasters.values()) b.relayTo(feed);
    }

    /**
     * A late joiner's replay of call {@code callId} for another node's subscriber, if {@code token} is that call's
     * (refused as {@link #subscribe} refuses).
     */
    public CaptionRelayFeed.Replay replay(String callId, String token) throws SubscriptionRejectedException {
        return admit(callId, token).replay();
    }

    private CaptionBroadcaster admit(String callId, String token) throws SubscriptionRejectedException {
        Optional<CallSession> call = callId == null ? Optional.empty() : calls.find(callId);
        CaptionBroadcaster b = callId == null ? null : broadcasters.get(callId);
        if (call.isEmpty() || b == null || token == null || !sameToken(call.get().token(), token)) {
            throw new SubscriptionRejectedException(REFUSED);
        }
        return b;
    }

    private void attach(CallSession call) {
        CaptionBroadcaster b = new CaptionBroadcaster(call.id(), config, events, scheduler, nanoTime,
                () -> broadcasters.remove(call.id()));
        b.relayTo(relayFeed);
        broadcasters.put(call.id(), b);
        call.addListener(b);
    }

    /**
     * Subscribes {@code channel} to the captions of call {@code callId} if {@code token} is that call's. The refusal
     * does not say whether the call exists.
     */
    public CaptionSubscriber subscribe(String callId, String token, CaptionChannel channel)
            throws SubscriptionRejectedException {
        boolean local = callId != null && calls.find(callId).isPresent();
        CaptionSubscriber s;
        if (local || remote == RemoteCaptions.NONE) {
            s = admit(callId, token).subscribe(channel);
        } else {
            if (callId == null || token == null) throw new SubscriptionRejectedException(REFUSED);
            s = remote.subscribe(callId, token, channel, onClose -> new CaptionSubscriber(channel,
                    config.subscriberMaxQueuedBytes(), config.sendTimeout().toNanos(), nanoTime, onClose));
            relayed.add(s);
            s.whenClosed().whenComplete((why, error) -> relayed.remove(s));
        }
        connected.add(s);
        s.whenClosed().whenComplete((why, error) -> connected.remove(s));
        return s;
    }

    /** Subscribers connected, including those still receiving the last captions of a call that ended. */
    public int subscriberCount() {
        return connected.size();
    }

    /**
     * Completes when every subscriber connected now has been sent everything offered to it so far (for a call that
     * ended: its last finals, then {@code ended}, then the normal close), or was closed.
     */
    public CompletableFuture<Void> drained() {
        return CompletableFuture.allOf(connected.stream().map(CaptionSubscriber::whenDrained)
                .toArray(CompletableFuture[]::new));
    }

    /** Closes every subscriber still connected with 1001 (shutdown, once they drained or the wait ran out). */
    public void closeAll(String reason) {
        sendTimeoutSweep.cancel(false);
        for (CaptionSubscriber s : connected) s.closeNow(CaptionSubscriber.CLOSE_GOING_AWAY, reason);
    }

    private static boolean sameToken(String expected, String given) {
        return MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8), given.getBytes(StandardCharsets.UTF_8));
    }
}
