package org.streamasr.api.store;

import java.util.List;

/**
 * Pending webhook deliveries: the embedded store's map on one node, a JetStream key-value bucket in a cluster (where
 * any live node sends what is due, one node per attempt).
 */
public interface DeliveryStore {
    List<DeliveryRecord> all();

    /** Deliveries stored; a shared store waits on it (and throws StoreUnavailableException when unreachable). */
    int count();

    /**
     * Takes {@code requestId}'s delivery for one attempt, or null when it is gone, not due, or another node is
     * sending it. A node that dies while holding it releases it after {@code leaseMillis}.
     */
    DeliveryRecord claim(String requestId, long nowMillis, long leaseMillis);

    /** Acknowledged by the receiver: never sent again. */
    void delivered(String requestId);

    /** Given up after the last attempt (or refused): kept only as the request's webhook state. */
    void failed(String requestId, String error);

    /** Another attempt later (its {@code nextAttemptMillis}); releases the claim. */
    void retryLater(DeliveryRecord next);

    /** A new delivery that belongs to no queue request (a call's transcript), first sent at its {@code nextAttemptMillis}. */
    void add(DeliveryRecord first);

    /** Whether other nodes share these deliveries (then each node looks for due ones now and then). */
    default boolean shared() {
        return false;
    }
}
