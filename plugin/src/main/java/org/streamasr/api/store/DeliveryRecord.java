package org.streamasr.api.store;

/**
 * A webhook delivery not yet acknowledged. The body is fixed when the request completes and never rebuilt, so a
 * receiver can see the same delivery twice but never two different outcomes.
 *
 * @param attempts          attempts made so far
 * @param nextAttemptMillis wall-clock time of the next attempt
 */
public record DeliveryRecord(String requestId, String url, String body, int attempts, long nextAttemptMillis,
                             String lastError) {
}
