package org.streamasr.cluster;

import com.fasterxml.jackson.core.type.TypeReference;
import io.nats.client.Dispatcher;
import io.nats.client.JetStreamApiException;
import io.nats.client.KeyValue;
import io.nats.client.api.KeyValueEntry;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.streamasr.runtime.ExecutorShutdown;

/**
 * Placement of RTP calls across the cluster: every node writes its {@link NodeLoad} into the {@code asr-nodes} bucket
 * every {@link #REFRESH} (entries expire after three, so a dead node leaves placement); a node placing a call ranks
 * the live entries by free capacity ({@link #rank}) and, when another node wins, sends it the request on
 * {@code asr.calls.create.<node>}, answered with that node's {@code POST /v1/calls} status and body.
 */
public final class ClusterPlacement implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterPlacement.class);
    static final Duration REFRESH = Duration.ofSeconds(1);
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() { };

    /**
     * What a node offers placement.
     *
     * @param maxStreams   asr.cluster.max-streams (0: no limit)
     * @param load         streams carried or promised ({@code CallRegistry.load()})
     * @param accepting    false while the node drains
     * @param mediaAddress where RTP senders reach it (asr.cluster.media-address)
     */
    public record NodeLoad(String node, int maxStreams, int load, boolean accepting, String mediaAddress) {
        /** Streams this node can still take; unlimited nodes rank by their load alone. */
        long free() {
            return maxStreams > 0 ? maxStreams - load : Integer.MAX_VALUE - (long) load;
        }

        boolean open() {
            return accepting && free() > 0;
        }
    }

    private final NatsCluster cluster;
    private final KeyValue kv;
    private final Duration createTimeout;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            org.streamasr.runtime.NamedThreads.single("asr-cluster-placement", true));
    private Supplier<NodeLoad> self;
    private Dispatcher creates;

    /** @param createTimeout how long a remote node may take to create a call before the next one is asked */
    public ClusterPlacement(NatsCluster cluster, Duration createTimeout) throws IOException {
        this.cluster = cluster;
        this.kv = cluster.bucket("asr-nodes", REFRESH.multipliedBy(3));
        this.createTimeout = createTimeout;
    }

    /**
     * Starts publishing this node's load and answering other nodes' placements.
     *
     * @param self        this node's load now
     * @param createLocal creates a call here from a {@code POST /v1/calls} body, completing with the answer
     */
    public void start(Supplier<NodeLoad> self, Function<byte[], CompletableFuture<CallDirectory.Answer>> createLocal) {
        this.self = self;
        creates = cluster.connection().createDispatcher();
        creates.subscribe(createSubject(cluster.nodeId()), msg -> createLocal.apply(msg.getData())
                .exceptionally(e -> new CallDirectory.Answer(500, Map.of("error", Map.of("status", 500,
                        "message", "creating the call failed: " + e.getMessage()))))
                .thenAccept(answer -> {
                    try {
                        Map<String, Object> reply = new LinkedHashMap<>();
                        reply.put("status", answer.status());
                        reply.put("body", answer.body());
                        cluster.connection().publish(msg.getReplyTo(), JobBucket.JSON.writeValueAsBytes(reply));
                    } catch (IOException | RuntimeException e) {
                        LOG.debug("cluster: cannot answer a placement: {}", e.getMessage());
                    }
                }));
        timer.scheduleWithFixedDelay(this::publish, 0, REFRESH.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void publish() {
        if (!cluster.connected()) return;
        try {
            kv.put(NatsCluster.token(cluster.nodeId()), JobBucket.JSON.writeValueAsBytes(self.get()));
        } catch (IOException | JetStreamApiException | RuntimeException e) {
            LOG.debug("cluster: publishing this node's load failed: {}", e.getMessage());
        }
    }

    /**
     * The nodes that can take a call now, best first: this node as it is now, the others as they last published
     * (a node that stopped publishing is gone). Only this node while NATS is unreachable.
     */
    public List<NodeLoad> candidates() {
        List<NodeLoad> all = new ArrayList<>();
        all.add(self.get());
        if (cluster.connected()) {
            try {
                for (String key : kv.keys()) {
                    KeyValueEntry e = kv.get(key);
                    if (e == null || e.getValue() == null) continue;
                    NodeLoad n = JobBucket.JSON.readValue(e.getValue(), NodeLoad.class);
                    if (!n.node().equals(cluster.nodeId())) all.add(n);
                }
            } catch (IOException | JetStreamApiException | RuntimeException e) {
                LOG.debug("cluster: reading the nodes' loads failed: {}", e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return rank(all, cluster.nodeId());
    }

    /** Open nodes by free capacity, most first; on a tie {@code local} first (no hop), then by name. */
    static List<NodeLoad> rank(List<NodeLoad> nodes, String local) {
        return nodes.stream().filter(NodeLoad::open)
                .sorted(Comparator.comparingLong(NodeLoad::free).reversed()
                        .thenComparing(n -> !n.node().equals(local))
                        .thenComparing(NodeLoad::node))
                .toList();
    }

    /** Asks {@code node} to create a call from {@code body} (a {@code POST /v1/calls} body). */
    public CompletableFuture<CallDirectory.Answer> createOn(String node, byte[] body) {
        return cluster.connection().requestWithTimeout(createSubject(node), body, createTimeout)
                .thenApply(msg -> {
                    try {
                        Map<String, Object> reply = JobBucket.JSON.readValue(msg.getData(), MAP);
                        @SuppressWarnings("unchecked")
                        Map<String, Object> answer = (Map<String, Object>) reply.get("body");
                        return new CallDirectory.Answer(((Number) reply.get("status")).intValue(), answer);
                    } catch (IOException | RuntimeException e) {
                        throw new IllegalStateException("bad answer from node " + node + ": " + e.getMessage(), e);
                    }
                });
    }


    private static String createSubject(String node) {
        return "asr.calls.create." + NatsCluster.token(node);
    }

    /** Leaves placement: stops publishing, answering, and removes this node's entry. */
    @Override
    public void close() {
        ExecutorShutdown.stopNow(timer, Duration.ofSeconds(5), "asr-cluster-placement timer", LOG);
        if (creates != null) cluster.connection().closeDispatcher(creates);
        try {
            kv.delete(NatsCluster.token(cluster.nodeId()));
        } catch (IOException | JetStreamApiException | RuntimeException e) {
            // expires with the bucket's time-to-live
        }
    }
}
