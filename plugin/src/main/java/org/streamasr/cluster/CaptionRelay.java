package org.streamasr.cluster;

import com.fasterxml.jackson.core.type.TypeReference;
import io.nats.client.Dispatcher;
import io.nats.client.Message;
import io.nats.client.Subscription;
import io.nats.client.impl.Headers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.streamasr.captions.CaptionChannel;
import org.streamasr.captions.CaptionJson;
import org.streamasr.captions.CaptionMessage;
import org.streamasr.captions.CaptionSubscriber;
import org.streamasr.captions.RemoteCaptions;
import org.streamasr.captions.SubscriptionRejectedException;
import org.streamasr.runtime.NamedThreads;
import org.streamasr.stream.CallEvents;

/**
 * The serving side of "captions anywhere": a subscriber on this node to a call held by another gets the call's events
 * relayed from the owner ({@link CaptionRelayPublisher}). Per call, one NATS subscription serves every local
 * subscriber of it; it is opened by the first, before the join (so nothing published after the owner's replay is
 * missed), and closed when the last leaves or the call ends. A joiner receives the owner's replay, then the live
 * events numbered after it, through its own {@link CaptionSubscriber} (the local limits and slow-subscriber rules);
 * the call's end reaches it as the same {@code ended} frame and normal close. While subscribed, this node renews its
 * interest with the owner every {@link #RENEW} and checks the directory: a call whose owner left ends here too.
 * A subscriber the owner admitted is this node's subscriber like a local one: its {@code subscriberOpened} and
 * {@code subscriberClosed} go to this node's {@link CallEvents} (metrics, logs).
 */
public final class CaptionRelay implements RemoteCaptions, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CaptionRelay.class);
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() { };
    static final Duration RENEW = Duration.ofSeconds(2);
    private static final Duration JOIN_TIMEOUT = Duration.ofSeconds(5);

    /** One relayed event: its number, the frame, and what it is. */
    private record Event(long seq, CaptionMessage message, String endedReason) {
    }

    /** One local subscriber of a relayed call: buffers live events until its replay arrived. */
    private static final class Member {
        CaptionSubscriber subscriber;
        List<Event> early = new ArrayList<>();
        long afterSeq;
        // Guarded by the member: told subscriberOpened (the owner admitted it), closed (it is gone).
        private boolean opened;
        private boolean closed;
    }

    /** The relay of one remote call. Guarded by itself. */
    private final class Relay {
        final String callId;
        final String owner;
        final List<Member> members = new ArrayList<>();
        Subscription subscription;
        boolean ended;

        Relay(String callId, String owner) {
            this.callId = callId;
            this.owner = owner;
        }
    }

    private final NatsCluster cluster;
    private final CallDirectory directory;
    private final CallEvents events;
    private final ScheduledExecutorService scheduler;
    private final Duration sendTimeout;
    private final int maxSubscribersPerCall;
    private final Dispatcher dispatcher;
    private final ScheduledExecutorService timer = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
            NamedThreads.single("asr-captions-relay", true));
    private final Map<String, Relay> relays = new ConcurrentHashMap<>();

    /**
     * @param events      this node's lifecycle events: relayed subscribers open and close there as local ones do
     * @param scheduler   the captions timer (a finished subscriber still stuck after the send timeout is closed there)
     * @param sendTimeout           asr.captions.send-timeout
     * @param maxSubscribersPerCall asr.captions.max-subscribers-per-call, this node's subscribers of one relayed call
     */
    public CaptionRelay(NatsCluster cluster, CallDirectory directory, CallEvents events,
                        ScheduledExecutorService scheduler, Duration sendTimeout, int maxSubscribersPerCall) {
        this.cluster = cluster;
        this.directory = directory;
        this.events = events;
        this.scheduler = scheduler;
        this.sendTimeout = sendTimeout;
        this.maxSubscribersPerCall = maxSubscribersPerCall;
        this.dispatcher = cluster.connection().createDispatcher();
        timer.scheduleWithFixedDelay(this::renew, RENEW.toMillis(), RENEW.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Relays (subscription opened, still open) now, for tests and metrics. */
    public int relayedCalls() {
        return relays.size();
    }

    @Override
    public CaptionSubscriber subscribe(String callId, String token, CaptionChannel channel,
                                       Function<CaptionSubscriber.CloseListener, CaptionSubscriber> newSubscriber)
            throws SubscriptionRejectedException {
        Member m = new Member();
        m.afterSeq = -1;
        // Told on whatever thread closed it, maybe under a relay's lock: leave from the relay's own thread.
        m.subscriber = newSubscriber.apply((s, why) -> {
            synchronized (m) {
                m.closed = true;
                if (m.opened) events.subscriberClosed(callId, why.reason(), why.evicted());
            }
            try {
                timer.execute(() -> left(callId, m));
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // shutting down: every relay goes
            }
        });
        // The directory look-up and the join wait on NATS: not on the WebSocket's thread.
        long lookupDeadline = System.nanoTime() + ClusterCallDirectory.REFRESH.toNanos();
        timer.execute(() -> join(callId, token, m, lookupDeadline));
        return m.subscriber;
    }

    private void join(String callId, String token, Member m, long lookupDeadline) {
        Optional<Map<String, Object>> entry = directory.remoteCall(callId);
        if (entry.isEmpty()) {
            // a call created a moment ago on another node reaches the directory within one refresh: look again
            // until then (a captionsUrl is used at once), then refuse as an unknown call is refused locally
            if (System.nanoTime() < lookupDeadline && !m.subscriber.isClosed()) {
                try {
                    timer.schedule(() -> join(callId, token, m, lookupDeadline), 200, TimeUnit.MILLISECONDS);
                    return;
                } catch (java.util.concurrent.RejectedExecutionException e) {
                    // shutting down: refuse below
                }
            }
            m.subscriber.closeNow(CaptionSubscriber.CLOSE_TOO_SLOW, refused());
            return;
        }
        String owner = String.valueOf(entry.get().get("node"));
        Relay r;
        synchronized (relays) {
            r = relays.get(callId);
            if (r == null || r.ended) {
                Relay opened = new Relay(callId, owner);
                opened.subscription = dispatcher.subscribe(CaptionRelayPublisher.eventsSubject(callId),
                        msg -> onEvent(opened, msg));
                relays.put(callId, opened);
                r = opened;
            }
            synchronized (r) {
                if (r.members.size() >= maxSubscribersPerCall) {
                    r = null;
                } else {
                    r.members.add(m);
                }
            }
        }
        if (r == null) {
            m.subscriber.closeNow(CaptionSubscriber.CLOSE_TOO_SLOW, "too many caption subscribers for this call ("
                    + maxSubscribersPerCall + ")");
            return;
        }
        if (m.subscriber.isClosed()) {
            left(callId, m);
            return;
        }
        Map<String, Object> ask = new LinkedHashMap<>();
        ask.put("callId", callId);
        ask.put("token", token);
        ask.put("node", cluster.nodeId());
        Relay relay = r;
        try {
            cluster.connection().requestWithTimeout(CaptionRelayPublisher.joinSubject(owner),
                            JobBucket.JSON.writeValueAsBytes(ask), JOIN_TIMEOUT)
                    .whenComplete((reply, error) -> joined(relay, m, reply, error));
        } catch (Exception e) {
            joined(relay, m, null, e);
        }
    }

    /** The owner's answer to a join: the replay, then the live events held back meanwhile, or the refusal. */
    private void joined(Relay r, Member m, Message reply, Throwable error) {
        Map<String, Object> answer = null;
        String refusal;
        if (error != null || reply == null) {
            refusal = "captions of call '" + r.callId + "' unavailable: node " + r.owner + " did not answer";
        } else {
            try {
                answer = JobBucket.JSON.readValue(reply.getData(), MAP);
                refusal = Boolean.TRUE.equals(answer.get("ok")) ? null : String.valueOf(answer.get("error"));
            } catch (Exception e) {
                refusal = "captions of call '" + r.callId + "' unavailable: bad answer from node " + r.owner;
            }
        }
        if (refusal != null) {
            m.subscriber.closeNow(CaptionSubscriber.CLOSE_TOO_SLOW, refusal);
            return;
        }
        synchronized (m) {
            // admitted, as a local subscriber is when its broadcaster takes it (unless it already left)
            m.opened = !m.closed;
            if (m.opened) events.subscriberOpened(r.callId);
        }
        long seq = ((Number) answer.get("seq")).longValue();
        synchronized (r) {
            @SuppressWarnings("unchecked")
            List<String> history = (List<String>) answer.get("history");
            for (String json : history) m.subscriber.offer(CaptionMessage.of("", true, json));
            List<Event> early = m.early;
            m.early = null;
            m.afterSeq = seq;
            for (Event e : early) deliver(m, e);
        }
    }

    /** A live event of a relayed call (on the dispatcher's thread). */
    private void onEvent(Relay r, Message msg) {
        Event e;
        try {
            Headers h = msg.getHeaders();
            long seq = Long.parseLong(h.getFirst(CaptionRelayPublisher.SEQ));
            String json = new String(msg.getData(), StandardCharsets.UTF_8);
            String ended = CaptionRelayPublisher.fromHeader(h.getFirst(CaptionRelayPublisher.ENDED));
            CaptionMessage m = ended != null ? CaptionMessage.control(json)
                    : CaptionMessage.of(CaptionRelayPublisher.fromHeader(h.getFirst(CaptionRelayPublisher.KEY)),
                    "1".equals(h.getFirst(CaptionRelayPublisher.FINAL)), json);
            e = new Event(seq, m, ended);
        } catch (RuntimeException ex) {
            LOG.debug("cluster: a bad caption relay message on {}: {}", msg.getSubject(), ex.getMessage());
            return;
        }
        if (e.endedReason() != null) {
            end(r, e);
            return;
        }
        synchronized (r) {
            for (Member m : r.members) {
                if (m.early != null) m.early.add(e);
                else deliver(m, e);
            }
        }
    }

    // Guarded by the member's relay.
    private void deliver(Member m, Event e) {
        if (e.seq() <= m.afterSeq) return;   // the replay held it
        m.afterSeq = e.seq();
        if (e.endedReason() == null) {
            m.subscriber.offer(e.message());
            return;
        }
        m.subscriber.finish(e.message(), "call ended: " + e.endedReason());
        CaptionSubscriber s = m.subscriber;
        scheduler.schedule(() -> s.abandonIfStuck("call ended but captions could not be delivered"),
                sendTimeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The call ended (or its owner left): every member gets the end; the subscription closes. */
    private void end(Relay r, Event e) {
        synchronized (relays) {
            relays.remove(r.callId, r);
        }
        synchronized (r) {
            if (r.ended) return;
            r.ended = true;
            unsubscribe(r);
            for (Member m : r.members) {
                if (m.early != null) m.early.add(e);
                else deliver(m, e);
            }
        }
    }

    private void left(String callId, Member m) {
        synchronized (relays) {
            Relay r = relays.get(callId);
            if (r == null) return;
            synchronized (r) {
                if (!r.members.remove(m) || !r.members.isEmpty()) return;
                relays.remove(callId, r);
                unsubscribe(r);
            }
            sendInterest(r, false);   // the owner stops publishing unless another node listens
        }
    }

    private void sendInterest(Relay r, boolean listening) {
        try {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("callId", r.callId);
            m.put("node", cluster.nodeId());
            m.put("listening", listening);
            cluster.connection().publish(CaptionRelayPublisher.interestSubject(r.owner),
                    JobBucket.JSON.writeValueAsBytes(m));
        } catch (Exception e) {
            LOG.debug("cluster: cannot tell node {} about the captions of {}: {}", r.owner, r.callId, e.getMessage());
        }
    }

    private void unsubscribe(Relay r) {
        try {
            if (r.subscription != null) dispatcher.unsubscribe(r.subscription);
        } catch (RuntimeException e) {
            // the connection is closing
        }
    }

    /** Renews this node's interest with each owner, and ends the relays of calls that left the directory. */
    private void renew() {
        for (Relay r : List.copyOf(relays.values())) {
            try {
                if (!cluster.connected()) continue;
                sendInterest(r, true);
                if (directory.remoteCall(r.callId).isEmpty()) {
                    String reason = "node " + r.owner + " holding the call left";
                    end(r, new Event(Long.MAX_VALUE, CaptionMessage.control(CaptionJson.ended(r.callId, reason)),
                            reason));
                }
            } catch (RuntimeException e) {
                LOG.debug("cluster: renewing the caption relay of {} failed: {}", r.callId, e.getMessage());
            }
        }
    }

    private static String refused() {
        return "unknown call or wrong token";
    }

    @Override
    public void close() {
        timer.shutdownNow();
        try {
            cluster.connection().closeDispatcher(dispatcher);
        } catch (RuntimeException e) {
            // already closed
        }
    }
}
