package org.streamasr.api.jobs;

/** A running job noticed that it was asked to stop (cancel, timeout, shutdown). */
final class JobStoppedException extends Exception {
    private final Job.StopReason reason;

    JobStoppedException(Job.StopReason reason) {
        super("stopped: " + reason, null, false, false);
        this.reason = reason;
    }

    Job.StopReason reason() {
        return reason;
    }
}
