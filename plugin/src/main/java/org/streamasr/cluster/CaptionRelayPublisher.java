package org.streamasr.cluster;

import com.fasterxml.jackson.core.type.TypeReference;
import io.nats.client.Dispatcher;
import io.nats.client.Message;
import io.nats.client.impl.Headers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.streamasr.captions.CaptionHub;
import org.streamasr.captions.CaptionMessage;
import org.streamasr.captions.CaptionRelayFeed;
import org.streamasr.captions.SubscriptionRejectedException;

/**
 * The owner's side of "captions anywhere": publishes the caption events of this node's calls on core NATS subject
 * {@code asr.captions.<call>} (one message per event, its number and kind in headers, the frame local subscribers get
 * as body), and answers other nodes' joins on {@code asr.captions.join.<node>}: the token is checked here as for a
 * local subscriber, and the answer is the same replay of recent finals a local late joiner gets.
 *
 * <p>A call's events are published only while another node is interested: from its join on, for as long as that node
 * renews the interest ({@code asr.captions.interest.<node>}, every {@link CaptionRelay#RENEW}) and until it says it
 * stopped (its last subscriber left) or stops renewing (it died); with nobody listening remotely there is no relay
 * traffic. The end of a call is always published.
 */
public final class CaptionRelayPublisher implements CaptionRelayFeed, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CaptionRelayPublisher.class);
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() { };
    /** How long one join or renewal keeps a call's events flowing to the cluster. */
    static final Duration INTEREST = CaptionRelay.RENEW.multipliedBy(5);
    static final String SEQ = "Asr-Seq";
    static final String FINAL = "Asr-Final";
    static final String KEY = "Asr-Key";
    static final String ENDED = "Asr-Ended";

    private final NatsCluster cluster;
    private final CaptionHub hub;
    // callId -> listening node -> System.nanoTime() until which it listens
    private final Map<String, Map<String, Long>> interest = new ConcurrentHashMap<>();
    private final Dispatcher dispatcher;

    public CaptionRelayPublisher(NatsCluster cluster, CaptionHub hub) {
        this.cluster = cluster;
        this.hub = hub;
        this.dispatcher = cluster.connection().createDispatcher();
        dispatcher.subscribe(joinSubject(cluster.nodeId()), this::join);
        dispatcher.subscribe(interestSubject(cluster.nodeId()), this::interest);
    }

    static String eventsSubject(String callId) {
        return "asr.captions." + NatsCluster.token(callId);
    }

    static String joinSubject(String node) {
        return "asr.captions.join." + NatsCluster.token(node);
    }

    static String interestSubject(String node) {
        return "asr.captions.interest." + NatsCluster.token(node);
    }

    /** {@code {callId, node, listening}} from a relaying node: renews or ends its interest in a call. */
    private void interest(Message msg) {
        try {
            Map<String, Object> m = JobBucket.JSON.readValue(msg.getData(), MAP);
            String callId = (String) m.get("callId");
            String node = (String) m.get("node");
            if (callId == null || node == null) return;
            if (Boolean.TRUE.equals(m.get("listening"))) {
                interested(callId, node);
            } else {
                interest.computeIfPresent(callId, (id, nodes) -> {
                    nodes.remove(node);
                    return nodes.isEmpty() ? null : nodes;
                });
            }
        } catch (Exception e) {
            LOG.debug("cluster: a bad captions interest message: {}", e.getMessage());
        }
    }

    private void interested(String callId, String node) {
        interest.computeIfAbsent(callId, id -> new ConcurrentHashMap<>())
                .put(node, System.nanoTime() + INTEREST.toNanos());
    }

    /** Whether another node listens to {@code callId} now (lapsed interest is forgotten). */
    private boolean listened(String callId) {
        Map<String, Long> nodes = interest.get(callId);
        if (nodes == null) return false;
        long now = System.nanoTime();
        nodes.values().removeIf(until -> now - until > 0);
        if (nodes.isEmpty()) {
            interest.remove(callId, nodes);
            return false;
        }
        return true;
    }

    /** A join: {@code {callId, token}} → {@code {ok, seq, history[]}} or {@code {ok:false, error}}. */
    private void join(Message msg) {
        Map<String, Object> reply = new LinkedHashMap<>();
        try {
            Map<String, Object> ask = JobBucket.JSON.readValue(msg.getData(), MAP);
            String callId = (String) ask.get("callId");
            String token = (String) ask.get("token");
            String node = String.valueOf(ask.get("node"));
            if (callId != null) interested(callId, node);   // before the replay: every later event is published
            CaptionRelayFeed.Replay replay = hub.replay(callId, token);
            List<String> history = new ArrayList<>();
            for (CaptionMessage m : replay.history()) history.add(m.json());
            reply.put("ok", true);
            reply.put("seq", replay.seq());
            reply.put("history", history);
        } catch (SubscriptionRejectedException e) {
            reply.put("ok", false);
            reply.put("error", e.getMessage());
        } catch (Exception e) {
            reply.put("ok", false);
            reply.put("error", "bad captions join: " + e.getMessage());
        }
        try {
            cluster.connection().publish(msg.getReplyTo(), JobBucket.JSON.writeValueAsBytes(reply));
        } catch (Exception e) {
            LOG.debug("cluster: cannot answer a captions join: {}", e.getMessage());
        }
    }

    @Override
    public void published(String callId, long seq, CaptionMessage message) {
        if (listened(callId)) publish(callId, seq, message, null);
    }

    @Override
    public void ended(String callId, long seq, CaptionMessage last, String reason) {
        interest.remove(callId);
        publish(callId, seq, last, reason == null ? "" : reason);
    }

    /** Never throws: the local subscribers of the call must not notice the cluster. */
    private void publish(String callId, long seq, CaptionMessage m, String endedReason) {
        try {
            Headers h = new Headers().put(SEQ, Long.toString(seq));
            if (endedReason != null) {
                h.put(ENDED, headerSafe(endedReason));
            } else {
                h.put(FINAL, m.isFinal() ? "1" : "0").put(KEY, headerSafe(m.key()));
            }
            cluster.connection().publish(eventsSubject(callId), h, m.json().getBytes(StandardCharsets.UTF_8));
        } catch (RuntimeException e) {
            // NATS unreachable (its reconnect buffer full): the local subscribers are unaffected.
            LOG.debug("cluster: cannot publish a caption of {}: {}", callId, e.getMessage());
        }
    }

    /** Header values are printable ASCII: anything else (a key's NUL separator) as base64url. */
    static String headerSafe(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c > 0x7e) {
                return "b64:" + java.util.Base64.getUrlEncoder().withoutPadding()
                        .encodeToString(value.getBytes(StandardCharsets.UTF_8));
            }
        }
        return value;
    }

    /** The value {@link #headerSafe} wrote. */
    static String fromHeader(String value) {
        if (value == null || !value.startsWith("b64:")) return value;
        return new String(java.util.Base64.getUrlDecoder().decode(value.substring(4)), StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        try {
            cluster.connection().closeDispatcher(dispatcher);
        } catch (RuntimeException e) {
            // the connection is already closed
        }
    }
}
