package org.streamasr.cluster;

import com.fasterxml.jackson.core.type.TypeReference;
import io.nats.client.Dispatcher;
import io.nats.client.JetStreamApiException;
import io.nats.client.KeyValue;
import io.nats.client.api.KeyValueEntry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
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
 * The cluster's call directory: each node writes its live calls into the {@code asr-calls} bucket every
 * {@link #REFRESH} (entries expire after three of them, so a dead node's calls disappear) and deletes those that
 * ended; any node lists the others' calls from the bucket. A DELETE of another node's call is a request on
 * {@code asr.calls.delete.<node>}, answered by the owner once the call ended there.
 */
public final class ClusterCallDirectory implements CallDirectory, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterCallDirectory.class);
    static final Duration REFRESH = Duration.ofSeconds(2);
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() { };

    private final NatsCluster cluster;
    private final KeyValue kv;
    private final Duration endTimeout;
    private final ScheduledExecutorService timer =
            Executors.newSingleThreadScheduledExecutor(org.streamasr.runtime.NamedThreads.single("asr-cluster-calls", true));
    private final Set<String> published = new HashSet<>();
    private Dispatcher deletes;
    private volatile Supplier<List<Map<String, Object>>> localCalls;

    /** @param endTimeout how long the owner may take to end a call (asr.calls.finish-timeout) */
    public ClusterCallDirectory(NatsCluster cluster, Duration endTimeout) throws IOException {
        this.cluster = cluster;
        this.kv = cluster.bucket("asr-calls", REFRESH.multipliedBy(3));
        this.endTimeout = endTimeout;
    }

    /**
     * Starts publishing this node's calls and answering deletes.
     *
     * @param localCalls each live call of this node as {@code GET /v1/calls} describes it ({@code callId} first)
     * @param endLocal   ends a call of this node, completing with the answer a DELETE gets
     */
    public void start(Supplier<List<Map<String, Object>>> localCalls,
                      Function<String, CompletableFuture<Answer>> endLocal) {
        deletes = cluster.connection().createDispatcher();
        deletes.subscribe(deleteSubject(cluster.nodeId()), msg -> {
            String callId = new String(msg.getData(), StandardCharsets.UTF_8);
            endLocal.apply(callId).whenComplete((answer, error) -> {
                Answer a = error == null ? answer : new Answer(500, Map.of("error",
                        Map.of("status", 500, "message", "ending the call failed: " + error.getMessage())));
                try {
                    Map<String, Object> reply = new LinkedHashMap<>();
                    reply.put("status", a.status());
                    reply.put("body", a.body());
                    cluster.connection().publish(msg.getReplyTo(), JobBucket.JSON.writeValueAsBytes(reply));
                } catch (IOException | RuntimeException e) {
                    LOG.debug("cluster: cannot answer the delete of {}: {}", callId, e.getMessage());
                }
            });
        });
        this.localCalls = localCalls;
        timer.scheduleWithFixedDelay(() -> publish(localCalls), 0, REFRESH.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * A call of this node opened or ended: publish the list now rather than at the next refresh, so another node
     * finds a call (its captions, its DELETE) as soon as the client that created it has its answer. Never blocks.
     */
    public void changed() {
        Supplier<List<Map<String, Object>>> calls = localCalls;
        if (calls == null) return;
        try {
            timer.execute(() -> publish(calls));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // closing: the directory is being left
        }
    }

    private void publish(Supplier<List<Map<String, Object>>> localCalls) {
        if (!cluster.connected()) return;
        try {
            Set<String> now = new HashSet<>();
            for (Map<String, Object> call : localCalls.get()) {
                String key = NatsCluster.token(String.valueOf(call.get("callId")));
                now.add(key);
                kv.put(key, JobBucket.JSON.writeValueAsBytes(call));
            }
            for (String gone : published) if (!now.contains(gone)) kv.delete(gone);
            published.clear();
            published.addAll(now);
        } catch (IOException | JetStreamApiException | RuntimeException e) {
            LOG.debug("cluster: publishing this node's calls failed: {}", e.getMessage());
        }
    }

    @Override
    public List<Map<String, Object>> remoteCalls() {
        List<Map<String, Object>> out = new ArrayList<>();
        if (!cluster.connected()) return out;
        try {
            for (String key : kv.keys()) {
                Map<String, Object> call = read(key);
                if (call != null && !cluster.nodeId().equals(call.get("node"))) out.add(call);
            }
        } catch (IOException | JetStreamApiException | RuntimeException e) {
            LOG.debug("cluster: listing the other nodes' calls failed: {}", e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return out;
    }

    @Override
    public Optional<Map<String, Object>> remoteCall(String callId) {
        if (!cluster.connected()) return Optional.empty();
        try {
            Map<String, Object> call = read(NatsCluster.token(callId));
            return call == null || cluster.nodeId().equals(call.get("node")) ? Optional.empty() : Optional.of(call);
        } catch (IOException | JetStreamApiException | RuntimeException e) {
            return Optional.empty();
        }
    }

    @Override
    public CompletableFuture<Answer> endRemote(String callId) {
        Optional<Map<String, Object>> call = remoteCall(callId);
        if (call.isEmpty()) return NONE.endRemote(callId);
        String owner = String.valueOf(call.get().get("node"));
        return cluster.connection().requestWithTimeout(deleteSubject(owner), callId.getBytes(StandardCharsets.UTF_8),
                        endTimeout.plusSeconds(2))
                .thenApply(msg -> {
                    try {
                        Map<String, Object> reply = JobBucket.JSON.readValue(msg.getData(), MAP);
                        @SuppressWarnings("unchecked")
                        Map<String, Object> body = (Map<String, Object>) reply.get("body");
                        return new Answer(((Number) reply.get("status")).intValue(), body);
                    } catch (IOException e) {
                        throw new IllegalStateException("bad answer from node " + owner, e);
                    }
                })
                .exceptionally(e -> new Answer(504, Map.of("error", Map.of("status", 504, "message",
                        "node " + owner + " holding call '" + callId + "' did not answer: " + e.getMessage()))));
    }

    private Map<String, Object> read(String key) throws IOException, JetStreamApiException {
        KeyValueEntry e = kv.get(key);
        return e == null || e.getValue() == null ? null : JobBucket.JSON.readValue(e.getValue(), MAP);
    }


    private static String deleteSubject(String node) {
        return "asr.calls.delete." + NatsCluster.token(node);
    }

    /** Stops publishing and deletes this node's entries (it leaves the directory). */
    @Override
    public void close() {
        ExecutorShutdown.stopNow(timer, Duration.ofSeconds(5), "asr-cluster-calls timer", LOG);
        if (deletes != null) cluster.connection().closeDispatcher(deletes);
        for (String key : published) {
            try {
                kv.delete(key);
            } catch (IOException | JetStreamApiException | RuntimeException e) {
                // expires with the bucket's time-to-live
            }
        }
    }
}
