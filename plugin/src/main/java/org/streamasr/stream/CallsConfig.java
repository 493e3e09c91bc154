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
 * @param participantIdleFinalize a participant that sent no frame for this long (muted, or a sender that stopped)
 *                      gets {@code participantIdleSilence} of silence fed to its stream, so that the engine ends its
 *                      open utterance now instead of at the next packet; {@link Duration#ZERO} turns this off
 * @param participantIdleSilence how much silence that is: enough for the engine's endpointing (its trailing silence
 *                      plus a chunk)
 */
public record CallsConfig(int maxCalls, Duration idleTimeout, Duration maxGapFill, int eventQueue,
                          Duration finishTimeout, Duration participantIdleFinalize, Duration participantIdleSilence) {

    public CallsConfig {
        if (participantIdleFinalize.isNegative()) throw new IllegalArgumentException("participantIdleFinalize must be >= 0");
        if (participantIdleSilence.isNegative()) throw new IllegalArgumentException("participantIdleSilence must be >= 0");
    }

    public static CallsConfig defaults() {
        return new CallsConfig(1000, Duration.ofSeconds(60), Duration.ofSeconds(2), 2048, Duration.ofSeconds(10),
                Duration.ofMillis(1500), Duration.ofMillis(2300));
    }

    public CallsConfig withIdleTimeout(Duration idle) {
        return new CallsConfig(maxCalls, idle, maxGapFill, eventQueue, finishTimeout, participantIdleFinalize,
                participantIdleSilence);
    }

    public CallsConfig withMaxCalls(int max) {
        return new CallsConfig(max, idleTimeout, maxGapFill, eventQueue, finishTimeout, participantIdleFinalize,
                participantIdleSilence);
    }

    public CallsConfig withParticipantIdleFinalize(Duration after, Duration silence) {
        return new CallsConfig(maxCalls, idleTimeout, maxGapFill, eventQueue, finishTimeout, after, silence);
    }
}
