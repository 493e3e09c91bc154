package org.streamasr.server;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.streamasr.media.codec.AudioCodec;
import org.streamasr.media.sip.SipGatewayConfig;
import org.streamasr.media.sip.sdp.SrtpMode;

/** Reads {@code asr.sip} (documented in reference.conf) into the gateway's settings; a bad value is named by its key. */
final class SipConfigReader {
    private static final String P = "asr.sip.";

    private SipConfigReader() {
    }

    static boolean enabled(ConfigReader r) {
        return r.bool(P + "enabled");
    }

    static Duration rtpTimeout(ConfigReader r) {
        return r.durationIn(P + "rtp-timeout", Duration.ofSeconds(1), Duration.ofHours(1));
    }

    static SipGatewayConfig read(ConfigReader r) {
        List<AudioCodec> codecs = new ArrayList<>();
        for (String name : r.stringList(P + "codecs")) {
            AudioCodec c = AudioCodec.byName(name).filter(k -> k != AudioCodec.L16).orElseThrow(() ->
                    new InvalidConfigException(P + "codecs", "'" + name + "' is not one of opus, G722, PCMU, PCMA"));
            if (!codecs.contains(c)) codecs.add(c);
        }
        SrtpMode srtp = SrtpMode.valueOf(r.oneOf(P + "srtp", List.of("optional", "required", "off")).toUpperCase(Locale.ROOT));
        try {
            return new SipGatewayConfig(r.string(P + "bind"), r.intIn(P + "port", 0, 65535), r.stringList(P + "transports"),
                    r.optionalString(P + "advertised-address"), codecs, r.bool(P + "telephone-event"), srtp,
                    r.stringList(P + "allowed-sources"), r.optionalString(P + "required-user"), r.bool(P + "siprec"),
                    r.intIn(P + "max-calls", 1, 100_000), (int) r.bytesIn(P + "max-body-size", 1024, 1 << 20),
                    r.durationIn(P + "session-expires", Duration.ofSeconds(90), Duration.ofDays(1)),
                    r.durationIn(P + "min-session-expires", Duration.ofSeconds(90), Duration.ofDays(1)),
                    r.durationIn(P + "max-call-duration", Duration.ZERO, Duration.ofDays(7)),
                    r.optionalString(P + "language"), r.intIn(P + "worker-threads", 1, 64));
        } catch (IllegalArgumentException e) {
            // the gateway's own checks name the key in their message ("asr.sip.transports: ...")
            String msg = e.getMessage() == null ? "invalid" : e.getMessage();
            int colon = msg.indexOf(": ");
            String key = msg.startsWith("asr.sip.") && colon > 0 ? msg.substring(0, colon) : "asr.sip";
            throw new InvalidConfigException(key, colon > 0 && msg.startsWith("asr.sip.") ? msg.substring(colon + 2) : msg);
        }
    }
}
