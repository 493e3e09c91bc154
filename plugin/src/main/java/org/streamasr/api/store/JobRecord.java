package org.streamasr.api.store;

import java.util.List;

/**
 * A queue request as stored: what was asked, where it is, and how it ended. Written at every state change, so that
 * queued and interrupted requests run again after a restart and results outlive the process.
 *
 * @param seq          submission order (ties broken by it within a priority)
 * @param owner        fingerprint of the API key that submitted it (null when the API is open); other keys see 404
 * @param state        IN_QUEUE, IN_PROGRESS or COMPLETED
 * @param outcome      set when COMPLETED
 * @param webhookState null without webhook; PENDING, DELIVERED or FAILED (with the last error)
 */
public record JobRecord(String id, long seq, String owner, String audioUrl, String language, String acceleration,
                        String priority, String webhookUrl, String state, long createdAtMillis, Long startedAtMillis,
                        Long completedAtMillis, List<LogLine> logs, Outcome outcome, String webhookState) {

    public JobRecord {
        logs = logs == null ? List.of() : List.copyOf(logs);
    }

    public JobRecord withWebhookState(String s) {
        return new JobRecord(id, seq, owner, audioUrl, language, acceleration, priority, webhookUrl, state,
                createdAtMillis, startedAtMillis, completedAtMillis, logs, outcome, s);
    }
}
