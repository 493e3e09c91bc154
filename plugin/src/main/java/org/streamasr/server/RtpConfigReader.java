package org.streamasr.server;

import java.net.InetAddress;
import java.time.Duration;
import org.streamasr.media.rtp.GapPolicy;
import org.streamasr.media.rtp.RtpEndpointSpec;
import org.streamasr.media.rtp.RtpEndpoints;
import org.streamasr.media.rtp.RtpStreamConfig;

/** Reads {@code asr.media.rtp} (documented in reference.conf): the port range, and how each call's port receives. */
final class RtpConfigReader {
    private static final String P = "asr.media.rtp.";

    /** The receive settings (jitter buffer, gap filling, queue, timeouts) applied to each call's RTP port. */
    record Tuning(RtpStreamConfig stream, Duration inactivityTimeout, Duration streamIdleTimeout, int maxStreams) {
        RtpEndpointSpec apply(RtpEndpointSpec spec) {
            return spec.withStream(stream).withTimeouts(inactivityTimeout, streamIdleTimeout).withMaxStreams(maxStreams);
        }
    }

    private RtpConfigReader() {
    }

    static boolean enabled(ConfigReader r) {
        return r.bool(P + "enabled");
    }

    static RtpEndpoints.Config ports(ConfigReader r) {
        InetAddress bind;
        try {
            bind = InetAddress.getByName(r.string(P + "bind"));
        } catch (java.net.UnknownHostException e) {
            throw new InvalidConfigException(P + "bind", "unknown address '" + r.string(P + "bind") + "'");
        }
        int min = r.intIn(P + "port-min", 0, 65535);
        int max = r.intIn(P + "port-max", 0, 65535);
        try {
            return new RtpEndpoints.Config(bind, min, max, (int) r.bytesIn(P + "receive-buffer", 16 * 1024, 64 << 20));
        } catch (IllegalArgumentException e) {
            throw new InvalidConfigException(P + "port-min/port-max", e.getMessage());
        }
    }

    static Tuning tuning(ConfigReader r) {
        Duration depth = r.durationIn(P + "jitter-depth", RtpStreamConfig.MIN_DEPTH, RtpStreamConfig.MAX_DEPTH);
        Duration conceal = r.durationIn(P + "max-concealment", Duration.ZERO, Duration.ofSeconds(1));
        Duration fill = r.durationIn(P + "max-gap-fill", conceal, Duration.ofMinutes(1));
        Duration queue = r.durationIn(P + "queue", Duration.ofMillis(100), Duration.ofMinutes(1));
        Duration inactivity = r.durationIn(P + "inactivity-timeout", Duration.ofMillis(100), Duration.ofDays(1));
        Duration streamIdle = r.durationIn(P + "stream-idle-timeout", Duration.ofMillis(100), Duration.ofDays(1));
        int maxStreams = r.intIn(P + "max-streams-per-port", 1, 10_000);
        return new Tuning(new RtpStreamConfig(depth, new GapPolicy(conceal, fill), queue), inactivity, streamIdle, maxStreams);
    }
}
