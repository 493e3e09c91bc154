package org.streamasr.cluster;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nats.client.JetStreamApiException;
import io.nats.client.KeyValue;
import io.nats.client.PublishOptions;
import io.nats.client.api.KeyValueEntry;
import io.nats.client.api.PublishAck;
import io.nats.client.support.NatsKeyValueUtil;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.streamasr.api.store.StoreUnavailableException;
import java.util.function.UnaryOperator;

/**
 * The {@code asr-jobs} bucket: one {@link ClusterJob} per request id. Every change is a compare-and-set on the
 * entry's revision, so two nodes never overwrite each other's change: a completed record is never changed again,
 * which gives one result per request and a status that only moves forward.
 */
final class JobBucket {
    static final ObjectMapper JSON = new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    private static final int WRONG_LAST_SEQUENCE = 10071;

    private final NatsCluster cluster;
    private final KeyValue kv;
    /** The same bucket, each request bounded by asr.cluster.submit-timeout: what withdrawing a submission waits on. */
    private final KeyValue submitKv;

    JobBucket(NatsCluster cluster, KeyValue kv, KeyValue submitKv) {
        this.cluster = cluster;
        this.kv = kv;
        this.submitKv = submitKv;
    }

    KeyValue kv() {
        return kv;
    }

    ClusterJob get(String id) {
        cluster.requireConnected();
        try {
            KeyValueEntry e = kv.get(id);
            return e == null || e.getValue() == null ? null : JSON.readValue(e.getValue(), ClusterJob.class);
        } catch (IOException | JetStreamApiException e) {
            throw cluster.unavailable(e);
        }
    }

    /**
     * Stores a new request, waiting until {@code deadlineNanos} ({@link System#nanoTime()}) at most: what is left of
     * its submission's asr.cluster.submit-timeout. False when the id exists. A key-value create is a publish on the
     * key's subject that expects no earlier message there; published here so that the wait is the time left.
     */
    boolean create(ClusterJob j, long deadlineNanos) {
        cluster.requireConnected();
        CompletableFuture<PublishAck> ack;
        try {
            ack = cluster.jetStream().publishAsync(NatsKeyValueUtil.toKeyPrefix(kv.getBucketName()) + j.job().id(),
                    JSON.writeValueAsBytes(j), PublishOptions.builder().expectedLastSubjectSequence(0).build());
        } catch (IOException e) {
            throw cluster.unavailable(e);
        }
        try {
            ack.get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
            return true;
        } catch (TimeoutException e) {
            ack.cancel(false);
            throw cluster.unavailable(new IOException("no acknowledgement from JetStream in time"));
        } catch (ExecutionException e) {
            JetStreamApiException refused = NatsCluster.apiException(e);
            if (refused != null && refused.getApiErrorCode() == WRONG_LAST_SEQUENCE) return false;
            throw cluster.unavailable(refused != null ? refused
                    : new IOException(String.valueOf(e.getCause()), e.getCause()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw cluster.unavailable(e);
        }
    }

    void delete(String id) {
        try {
            kv.delete(id);
        } catch (IOException | JetStreamApiException e) {
            throw cluster.unavailable(e);
        }
    }

    /**
     * Makes sure the submission {@code withdrawn} (a client was answered 503 for it) never runs: a record stored
     * meanwhile is completed as {@code withdrawn}, and a missing one is created so, so that a create still on its way
     * fails. Returns the record it replaced (null: none, or already completed: the request ran before this).
     *
     * @throws StoreUnavailableException while JetStream cannot be reached (the caller tries again)
     */
    ClusterJob withdraw(ClusterJob withdrawn) {
        String id = withdrawn.job().id();
        cluster.requireConnected();
        for (int attempt = 0; attempt < 50; attempt++) {
            try {
                KeyValueEntry e = submitKv.get(id);
                if (e == null || e.getValue() == null) {
                    submitKv.create(id, JSON.writeValueAsBytes(withdrawn));
                    return null;
                }
                ClusterJob now = JSON.readValue(e.getValue(), ClusterJob.class);
                if (now.completed()) return null;
                submitKv.update(id, JSON.writeValueAsBytes(withdrawn), e.getRevision());
                return now;
            } catch (JetStreamApiException ex) {
                if (ex.getApiErrorCode() != WRONG_LAST_SEQUENCE) throw cluster.unavailable(ex);
                // changed meanwhile (the create landed, a worker claimed it): read again
            } catch (IOException ex) {
                throw cluster.unavailable(ex);
            }
        }
        throw cluster.unavailable(new IOException("the record of " + id + " keeps changing"));
    }

    /**
     * Applies {@code change} to the current record and stores it if nobody changed the record meanwhile (else reads it
     * again and retries). {@code change} returns null to leave the record as it is. Returns the stored record, or
     * null when the record is missing or {@code change} declined.
     */
    ClusterJob update(String id, UnaryOperator<ClusterJob> change) {
        cluster.requireConnected();
        for (int attempt = 0; attempt < 50; attempt++) {
            try {
                KeyValueEntry e = kv.get(id);
                if (e == null || e.getValue() == null) return null;
                ClusterJob now = JSON.readValue(e.getValue(), ClusterJob.class);
                ClusterJob next = change.apply(now);
                if (next == null) return null;
                kv.update(id, JSON.writeValueAsBytes(next), e.getRevision());
                return next;
            } catch (JetStreamApiException ex) {
                if (ex.getApiErrorCode() != WRONG_LAST_SEQUENCE) throw cluster.unavailable(ex);
                // another node changed it: read again
            } catch (IOException ex) {
                throw cluster.unavailable(ex);
            }
        }
        throw cluster.unavailable(new IOException("the record of " + id + " keeps changing"));
    }
}
