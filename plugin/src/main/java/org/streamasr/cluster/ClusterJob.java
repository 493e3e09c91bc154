package org.streamasr.cluster;

import org.streamasr.api.store.JobRecord;

/**
 * A queue request as the cluster keeps it in the {@code asr-jobs} bucket: the same record a single node stores, and
 * what only a cluster needs.
 *
 * @param node            the node that runs (or last ran) it; null while it waits
 * @param cancelRequested a cancel arrived while it ran: whichever node runs it next completes it as cancelled
 * @param streamSeq       its message's sequence in its priority's stream (for queue_position); 0 until known
 */
record ClusterJob(JobRecord job, String node, boolean cancelRequested, long streamSeq) {

    ClusterJob withJob(JobRecord j, String runningNode) {
        return new ClusterJob(j, runningNode, cancelRequested, streamSeq);
    }

    ClusterJob withCancelRequested() {
        return new ClusterJob(job, node, true, streamSeq);
    }

    ClusterJob withStreamSeq(long seq) {
        return new ClusterJob(job, node, cancelRequested, seq);
    }

    boolean completed() {
        return "COMPLETED".equals(job.state());
    }
}
