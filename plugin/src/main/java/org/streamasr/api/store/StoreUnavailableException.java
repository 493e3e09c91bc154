package org.streamasr.api.store;

import org.streamasr.api.ApiError;

/**
 * The store a request needs cannot be reached (in a cluster: NATS is down or JetStream does not answer). Answered 503
 * with a clear message instead of accepting what cannot be stored; the client retries.
 */
public final class StoreUnavailableException extends RuntimeException {
    public StoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }

    /** The answer a client gets. */
    public ApiError apiError() {
        return ApiError.plain(503, "store_unavailable", getMessage() + "; retry shortly");
    }
}
