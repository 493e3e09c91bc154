package org.streamasr.captions;

import java.time.Duration;

/**
 * The asr.captions section of the config.
 *
 * @param history                  finals of a call kept for late joiners
 * @param maxSubscribersPerCall    caption subscribers one call accepts
 * @param subscriberMaxQueuedBytes a subscriber with more than this waiting is closed (it cannot keep up)
 * @param sendTimeout              a subscriber whose send has not completed in this long is closed
 */
public record CaptionsConfig(int history, int maxSubscribersPerCall, long subscriberMaxQueuedBytes,
                             Duration sendTimeout) {

    public static CaptionsConfig defaults() {
        return new CaptionsConfig(100, 100, 1L << 20, Duration.ofSeconds(30));
    }
}
