package org.streamasr.api.jobs;

import org.streamasr.api.store.JobRecord;

/** A queue request's live state as the record a store keeps. */
public final class JobRecords {
    private JobRecords() {
    }

    /** The record of {@code j} now; {@code webhookState} null without webhook, else PENDING, DELIVERED or FAILED. */
    public static JobRecord of(Job j, String webhookState) {
        TranscriptionInput in = j.input();
        synchronized (j) {
            return new JobRecord(j.id(), j.seq(), j.owner(), in.audioUrl(), in.language(), in.acceleration().apiValue(),
                    j.lowPriority() ? "low" : "normal", j.webhookUrl(), j.state().name(), j.createdAtMillis(),
                    j.startedAtMillis(), j.completedAtMillis(), j.logs(), j.outcome(), webhookState);
        }
    }
}
