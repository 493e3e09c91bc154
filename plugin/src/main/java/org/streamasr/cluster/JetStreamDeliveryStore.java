package org.streamasr.cluster;

import io.nats.client.JetStreamApiException;
import io.nats.client.KeyValue;
import io.nats.client.api.KeyValueEntry;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.streamasr.api.store.DeliveryRecord;
import org.streamasr.api.store.DeliveryStore;

/**
 * Pending webhook deliveries in the {@code asr-webhooks} bucket, sent by whichever node is alive. A node takes a
 * delivery for one attempt by compare-and-set of a lease on its entry, so one node sends each attempt; a node that
 * dies while sending leaves a lease that expires, and another node sends it again (the receiver may then see it
 * twice, with the same body: the body is fixed when the request completes).
 */
final class JetStreamDeliveryStore implements DeliveryStore {
    private static final int WRONG_LAST_SEQUENCE = 10071;

    /** A delivery and who holds it for an attempt until when. */
    record Entry(DeliveryRecord delivery, String leaseNode, long leaseUntilMillis) {
    }

    private final NatsCluster cluster;
    private final KeyValue kv;
    private final JobBucket jobs;

    JetStreamDeliveryStore(NatsCluster cluster, KeyValue kv, JobBucket jobs) {
        this.cluster = cluster;
        this.kv = kv;
        this.jobs = jobs;
    }

    /** Stores a new delivery; false when one is stored for that request already (its body stands). */
    boolean create(DeliveryRecord d) {
        try {
            kv.create(d.requestId(), JobBucket.JSON.writeValueAsBytes(new Entry(d, null, 0)));
            return true;
        } catch (JetStreamApiException e) {
            if (e.getApiErrorCode() == WRONG_LAST_SEQUENCE) return false;
            throw cluster.unavailable(e);
        } catch (IOException e) {
            throw cluster.unavailable(e);
        }
    }

    @Override
    public List<DeliveryRecord> all() {
        cluster.requireConnected();
        List<DeliveryRecord> out = new ArrayList<>();
        try {
            for (String key : kv.keys()) {
                KeyValueEntry e = kv.get(key);
                if (e != null && e.getValue() != null) out.add(read(e).delivery());
            }
        } catch (IOException | JetStreamApiException e) {
            throw cluster.unavailable(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return out;
    }

    /** Waits on JetStream: read in the background for the gauge, never by a scrape. */
    @Override
    public int count() {
        cluster.requireConnected();
        try {
            return kv.keys().size();
        } catch (IOException | JetStreamApiException e) {
            throw cluster.unavailable(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw cluster.unavailable(e);
        }
    }

    @Override
    public DeliveryRecord claim(String requestId, long nowMillis, long leaseMillis) {
        if (!cluster.connected()) return null;
        try {
            KeyValueEntry e = kv.get(requestId);
            if (e == null || e.getValue() == null) return null;
            Entry cur = read(e);
            if (cur.delivery().nextAttemptMillis() > nowMillis || cur.leaseUntilMillis() > nowMillis) return null;
            Entry held = new Entry(cur.delivery(), cluster.nodeId(), nowMillis + leaseMillis);
            kv.update(requestId, JobBucket.JSON.writeValueAsBytes(held), e.getRevision());
            return cur.delivery();
        } catch (JetStreamApiException ex) {
            if (ex.getApiErrorCode() == WRONG_LAST_SEQUENCE) return null;   // another node took it
            return null;
        } catch (IOException ex) {
            return null;
        }
    }

    /** The request's state first, then the delivery: one that fails half-way is still there, and sent again. */
    @Override
    public void delivered(String requestId) {
        setJobState(requestId, "DELIVERED");
        remove(requestId);
    }

    @Override
    public void failed(String requestId, String error) {
        setJobState(requestId, "FAILED: " + error);
        remove(requestId);
    }

    @Override
    public void add(DeliveryRecord first) {
        try {
            kv.put(first.requestId(), JobBucket.JSON.writeValueAsBytes(new Entry(first, null, 0)));
        } catch (IOException | JetStreamApiException e) {
            throw cluster.unavailable(e);
        }
    }

    @Override
    public void retryLater(DeliveryRecord next) {
        try {
            kv.put(next.requestId(), JobBucket.JSON.writeValueAsBytes(new Entry(next, null, 0)));
        } catch (IOException | JetStreamApiException e) {
            throw cluster.unavailable(e);
        }
        setJobState(next.requestId(), "RETRYING: " + next.lastError());
    }

    @Override
    public boolean shared() {
        return true;
    }

    private void remove(String requestId) {
        try {
            kv.delete(requestId);
        } catch (IOException | JetStreamApiException e) {
            throw cluster.unavailable(e);
        }
    }

    private void setJobState(String requestId, String state) {
        jobs.update(requestId, r -> r.withJob(r.job().withWebhookState(state), r.node()));
    }

    private static Entry read(KeyValueEntry e) throws IOException {
        return JobBucket.JSON.readValue(e.getValue(), Entry.class);
    }
}
