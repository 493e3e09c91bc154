package org.streamasr.cluster;

import io.nats.client.JetStreamApiException;
import io.nats.client.api.ConsumerInfo;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster's queue as the job streams' consumers see it: a request's {@code queue_position} (undelivered
 * requests of its priority before it, plus every waiting normal one for a low one) and the number waiting (for the
 * queue-depth gauge, refreshed every second).
 */
final class JobQueueDepth {
    private static final Logger LOG = LoggerFactory.getLogger(JobQueueDepth.class);

    private final NatsCluster cluster;
    private final String consumer;
    private volatile int waiting;
    private volatile int waitingNormal;

    JobQueueDepth(NatsCluster cluster, String consumer) {
        this.cluster = cluster;
        this.consumer = consumer;
    }

    int position(ClusterJob rec) {
        if (rec.streamSeq() == 0) return 0;
        try {
            boolean low = "low".equals(rec.job().priority());
            ConsumerInfo own = cluster.management().getConsumerInfo(
                    low ? JetStreamJobBackend.LOW_STREAM : JetStreamJobBackend.NORMAL_STREAM, consumer);
            long ahead = Math.max(0, rec.streamSeq() - 1 - own.getDelivered().getStreamSequence());
            if (low) {
                ahead += cluster.management().getConsumerInfo(JetStreamJobBackend.NORMAL_STREAM, consumer).getNumPending();
            }
            return (int) Math.min(Integer.MAX_VALUE, ahead);
        } catch (IOException | JetStreamApiException e) {
            throw cluster.unavailable(e);
        }
    }

    void refresh() {
        if (!cluster.connected()) return;
        try {
            var jobs = cluster.management();
            long normal = jobs.getConsumerInfo(JetStreamJobBackend.NORMAL_STREAM, consumer).getNumPending();
            long n = normal + jobs.getConsumerInfo(JetStreamJobBackend.LOW_STREAM, consumer).getNumPending();
            waitingNormal = (int) Math.min(Integer.MAX_VALUE, normal);
            waiting = (int) Math.min(Integer.MAX_VALUE, n);
        } catch (IOException | JetStreamApiException | RuntimeException e) {
            LOG.debug("cluster: queue depth unknown: {}", e.getMessage());
        }
    }

    int waiting() {
        return waiting;
    }

    /**
     * A new request's position from the last refresh, asking JetStream nothing (the answer to a submission must not
     * wait on it): the normal requests waiting then, plus the low ones for a low request.
     */
    int positionOfNew(boolean low) {
        return low ? waiting : waitingNormal;
    }
}
