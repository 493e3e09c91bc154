package org.streamasr.api.jobs;

import org.streamasr.api.ApiError;
import org.streamasr.api.store.Outcome;

/** How failed and stopped requests end, in fal's error shapes. */
public final class Outcomes {
    private Outcomes() {
    }

    public static Outcome failure(ApiError e, double seconds) {
        return new Outcome(e.status(), e.body().toString(), e.getMessage(), e.errorType(), seconds);
    }

    /** A request stopped before it finished: cancelled (499), over its time limit (504), or by a shutdown (503). */
    public static Outcome stopped(Job.StopReason reason, double seconds) {
        switch (reason) {
            case CANCELLED:
                return failure(ApiError.plain(499, "client_cancelled", "the request was cancelled"), seconds);
            case TIMEOUT:
                return failure(ApiError.plain(504, "request_timeout", "the request did not finish within its time limit"),
                        seconds);
            default:
                return failure(ApiError.plain(503, "runner_disconnected",
                        "the server is shutting down; submit the request again"), seconds);
        }
    }
}
