package org.streamasr.stream;

import org.streamasr.media.CallRejectedException;

/** The refusals an API can answer with their own status (503, 409) rather than a plain bad request. */
public final class CallRejections {
    private CallRejections() {
    }

    /** The server is at its call limit or shutting down: try again later or elsewhere. */
    public static final class AtCapacity extends CallRejectedException {
        public AtCapacity(String message) {
            super(message);
        }
    }

    /** A call with that id is live (or ending). */
    public static final class AlreadyExists extends CallRejectedException {
        public AlreadyExists(String message) {
            super(message);
        }
    }
}
