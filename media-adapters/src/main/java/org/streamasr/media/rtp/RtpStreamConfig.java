package org.streamasr.media.rtp;

import java.time.Duration;

/**
 * How one RTP stream is received.
 *
 * @param jitterDepth how long a missing packet may hold back the ones after it (60..200 ms; see {@link JitterBuffer})
 * @param gaps        what fills losses and pauses ({@link GapPolicy})
 * @param queueLimit  media the hand-off queue from the network thread may hold before dropping the oldest
 */
public record RtpStreamConfig(Duration jitterDepth, GapPolicy gaps, Duration queueLimit) {
    public static final Duration MIN_DEPTH = Duration.ofMillis(60);
    public static final Duration MAX_DEPTH = Duration.ofMillis(200);
    public static final RtpStreamConfig DEFAULT =
            new RtpStreamConfig(Duration.ofMillis(100), GapPolicy.DEFAULT, Duration.ofSeconds(2));

    public RtpStreamConfig {
        if (jitterDepth == null || gaps == null || queueLimit == null) throw new IllegalArgumentException("all settings must be given");
        if (jitterDepth.compareTo(MIN_DEPTH) < 0 || jitterDepth.compareTo(MAX_DEPTH) > 0) {
            throw new IllegalArgumentException("jitter depth " + jitterDepth.toMillis() + " ms is outside 60..200 ms");
        }
        if (queueLimit.toMillis() < 100) throw new IllegalArgumentException("queue limit must be at least 100 ms");
    }

    public RtpStreamConfig withJitterDepth(Duration depth) {
        return new RtpStreamConfig(depth, gaps, queueLimit);
    }

    public RtpStreamConfig withGaps(GapPolicy policy) {
        return new RtpStreamConfig(jitterDepth, policy, queueLimit);
    }
}
