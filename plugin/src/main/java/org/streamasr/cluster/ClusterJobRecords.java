package org.streamasr.cluster;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.streamasr.api.jobs.Job;
import org.streamasr.api.jobs.JobRecords;
import org.streamasr.api.jobs.Outcomes;
import org.streamasr.api.store.JobRecord;
import org.streamasr.api.store.LogLine;
import org.streamasr.api.store.Outcome;

/** The changes the cluster makes to a job record besides a running node's own state. */
final class ClusterJobRecords {
    private ClusterJobRecords() {
    }

    /** A request cancelled before it ran (or while it was being redelivered): completed with the cancel's 499. */
    static JobRecord cancelled(JobRecord r, long nowMillis) {
        Outcome o = Outcomes.stopped(Job.StopReason.CANCELLED, 0);
        List<LogLine> logs = new ArrayList<>(r.logs());
        logs.add(new LogLine(Instant.now().toString(), "WARN", "USER", o.error()));
        return new JobRecord(r.id(), r.seq(), r.owner(), r.audioUrl(), r.language(), r.acceleration(), r.priority(),
                r.webhookUrl(), "COMPLETED", r.createdAtMillis(), r.startedAtMillis(), nowMillis, logs, o,
                r.webhookUrl() == null ? null : "PENDING");
    }

    /**
     * A submission withdrawn because JetStream did not confirm it in time (its client was answered 503 and never
     * learnt its id): completed as cancelled, with no webhook call.
     */
    static JobRecord withdrawn(JobRecord r, long nowMillis) {
        Outcome o = Outcomes.stopped(Job.StopReason.CANCELLED, 0);
        List<LogLine> logs = new ArrayList<>(r.logs());
        logs.add(new LogLine(Instant.now().toString(), "WARN", "USER", "not accepted: the queue did not store this "
                + "request within asr.cluster.submit-timeout and its client was answered 503; it does not run"));
        return new JobRecord(r.id(), r.seq(), r.owner(), r.audioUrl(), r.language(), r.acceleration(), r.priority(),
                r.webhookUrl(), "COMPLETED", r.createdAtMillis(), r.startedAtMillis(), nowMillis, logs, o, null);
    }

    /** A running request handed back by a node that shuts down: still IN_PROGRESS (status only moves forward). */
    static JobRecord handedBack(JobRecord j, String node) {
        List<LogLine> logs = new ArrayList<>(j.logs());
        logs.add(new LogLine(Instant.now().toString(), "INFO", "USER", "node " + node
                + " shut down while running this request; another node runs it again from the start"));
        return new JobRecord(j.id(), j.seq(), j.owner(), j.audioUrl(), j.language(), j.acceleration(), j.priority(),
                j.webhookUrl(), j.state(), j.createdAtMillis(), j.startedAtMillis(), null, logs, null, j.webhookState());
    }

    /** The running job's state now, keeping the stored audio URL (a stashed data: URI stays a reference). */
    static JobRecord snapshot(Job job, String webhookState, JobRecord stored) {
        JobRecord j = JobRecords.of(job, webhookState);
        return new JobRecord(j.id(), j.seq(), j.owner(), stored.audioUrl(), j.language(), j.acceleration(), j.priority(),
                j.webhookUrl(), j.state(), j.createdAtMillis(), j.startedAtMillis(), j.completedAtMillis(), j.logs(),
                j.outcome(), j.webhookState());
    }
}
