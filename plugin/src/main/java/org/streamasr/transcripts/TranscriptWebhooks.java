package org.streamasr.transcripts;

/** Sends a finished call's transcript: the hosted API's signed, retried, persisted webhook deliveries. */
public interface TranscriptWebhooks {

    /**
     * Queues a delivery; it is durable when this returns.
     *
     * @param deliveryId unique per delivery; sent as the webhook's request id
     */
    void send(String deliveryId, String url, String jsonBody);
}
