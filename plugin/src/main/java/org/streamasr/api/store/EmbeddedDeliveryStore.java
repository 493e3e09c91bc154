package org.streamasr.api.store;

import java.util.List;

/** Deliveries in the embedded {@link ApiStore}, committed with every change; one node, so a claim is a read. */
public final class EmbeddedDeliveryStore implements DeliveryStore {
    private final ApiStore store;

    public EmbeddedDeliveryStore(ApiStore store) {
        this.store = store;
    }

    @Override
    public List<DeliveryRecord> all() {
        return store.deliveries();
    }

    @Override
    public int count() {
        return store.deliveryCount();
    }

    @Override
    public DeliveryRecord claim(String requestId, long nowMillis, long leaseMillis) {
        return store.delivery(requestId);
    }

    @Override
    public void delivered(String requestId) {
        store.removeDelivery(requestId);
        setJobState(requestId, "DELIVERED");
        store.commit();
    }

    @Override
    public void failed(String requestId, String error) {
        store.removeDelivery(requestId);
        setJobState(requestId, "FAILED: " + error);
        store.commit();
    }

    @Override
    public void retryLater(DeliveryRecord next) {
        store.putDelivery(next);
        setJobState(next.requestId(), "RETRYING: " + next.lastError());
        store.commit();
    }

    @Override
    public void add(DeliveryRecord first) {
        store.putDelivery(first);
        store.commit();
    }

    private void setJobState(String requestId, String state) {
        JobRecord r = store.job(requestId);
        if (r != null) store.putJob(r.withWebhookState(state));
    }
}
