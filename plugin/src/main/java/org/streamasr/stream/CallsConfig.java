package org.streamasr.stream;

import java.time.Duration;

/**
 * The asr.calls section of the config (see config/reference.conf for what each value does).
 *
 * @param maxCalls      live calls at most; more are rejected
 * @param idleTimeout   a call that received no audio for this long ends with reason "idle"
 * @param maxGapFill    a gap in a participant's media clock up to this long is fed to the engine as silence; the
 *                      rest of a longer gap is skipped (times stay on the media clock)
 * @param eventQueue    transcript events a call may have waiting for delivery; partials are dropped past half of it,
 *                      and a call whose finals do not fit fails
 * @param finishTimeout how long ending a call waits for the engine to deliver its last finals
 */
public record CallsConfig(int maxCalls, Duration idleTimeout, Duration maxGapFill, int eventQueue,
                          Duration finishTimeout) {

    public static CallsConfig defaults() {
        return new CallsConfig(1000, Duration.ofSeconds(60), Duration.ofSeconds(2), 2048, Duration.ofSeconds(10));
    }

    public CallsConfig withIdleTimeout(Duration idle) {
        return new CallsConfig(maxCalls, idle, maxGapFill, eventQueue, finishTimeout);
    }

    public CallsConfig withMaxCalls(int max) {
        return new CallsConfig(max, idleTimeout, maxGapFill, eventQueue, finishTimeout);
    }
}
