package org.streamasr.server;

import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.streamasr.media.adapter.OutboundQueue;
import org.streamasr.media.adapter.WsLimits;
import org.streamasr.media.fork.AudioForkConfig;
import org.streamasr.media.fork.AudioSocketConfig;
import org.streamasr.media.fork.TwilioConfig;
import org.streamasr.media.jigasi.VoskConfig;
import org.streamasr.media.jitsi.MediaJsonConfig;

/**
 * Reads the sections of the WebSocket adapters and AudioSocket under {@code asr.media} (documented in
 * reference.conf) into the adapters' own config records. A bad value is named by its key; the records' own checks
 * are reported under their section.
 */
final class AdapterConfigReader {
    static final String MEDIA = "asr.media.";

    private AdapterConfigReader() {
    }

    static boolean enabled(ConfigReader r, String adapter) {
        return r.bool(MEDIA + adapter + ".enabled");
    }

    /** The adapter's recognition language, or null for the engine's default. */
    static String language(ConfigReader r, String adapter) {
        return r.optionalString(MEDIA + adapter + ".language");
    }

    /**
     * The adapter's message and outbound limits ({@code max-message}, {@code max-outbound},
     * {@code max-outbound-messages} in its section, defaulting to asr.media.websocket's) and the shared idle timeout.
     */
    static WsLimits limits(ConfigReader r, String adapter) {
        String p = MEDIA + adapter + ".";
        return new WsLimits(
                (int) r.bytesIn(p + "max-message", 1024, 64L << 20),
                new OutboundQueue.Limits((int) r.bytesIn(p + "max-outbound", 1024, 1L << 30),
                        r.intIn(p + "max-outbound-messages", 1, 1_000_000)),
                r.durationIn(MEDIA + "websocket.idle-timeout", Duration.ZERO, Duration.ofDays(1)));
    }

    /** A list of WebSocket paths (templates such as "/mediajson/{callId}"); at least one, each starting with "/". */
    static List<String> paths(ConfigReader r, String adapter) {
        String key = MEDIA + adapter + ".paths";
        List<String> paths = r.stringList(key);
        if (paths.isEmpty()) throw new InvalidConfigException(key, "at least one path");
        for (String path : paths) {
            if (!path.startsWith("/") || path.contains("?") || path.contains("#")) {
                throw new InvalidConfigException(key, "'" + path + "' must be a path starting with / (no query)");
            }
        }
        return paths;
    }

    static MediaJsonConfig mediaJson(ConfigReader r) {
        String a = "mediajson";
        String p = MEDIA + a + ".";
        return checked(a, () -> new MediaJsonConfig(paths(r, a), r.string(p + "default-language"),
                r.bool(p + "send-interim"), r.doubleIn(p + "interim-stability", 0, 1),
                r.durationIn(p + "conceal-cap", Duration.ZERO, Duration.ofSeconds(10)),
                r.durationIn(p + "silence-cap", Duration.ZERO, Duration.ofMinutes(10)),
                (int) r.bytesIn(p + "max-payload-bytes", 64, 1 << 20),
                r.intIn(p + "max-sources", 1, 10_000), limits(r, a)));
    }

    static VoskConfig vosk(ConfigReader r) {
        String a = "vosk";
        String p = MEDIA + a + ".";
        int max = r.intIn(p + "max-sample-rate", 8000, 384_000);
        int rate = r.intIn(p + "default-sample-rate", 8000, 384_000);
        if (rate > max) throw new InvalidConfigException(p + "default-sample-rate", "must not exceed max-sample-rate (" + max + ")");
        return checked(a, () -> new VoskConfig(paths(r, a), rate, max, limits(r, a)));
    }

    static AudioForkConfig audioFork(ConfigReader r) {
        String a = "audio-fork";
        String p = MEDIA + a + ".";
        int rate = r.intIn(p + "default-sample-rate", 8000, 64_000);
        if (rate % 8000 != 0) throw new InvalidConfigException(p + "default-sample-rate", "must be a multiple of 8000, got " + rate);
        String mix = r.oneOf(p + "default-mix", List.of("mono", "mixed", "stereo"));
        List<String> subprotocols = r.stringList(p + "subprotocols");
        for (String s : subprotocols) {
            if (s.isBlank() || !s.chars().allMatch(c -> c > 32 && c < 127 && c != ',')) {
                throw new InvalidConfigException(p + "subprotocols", "'" + s + "' is not a WebSocket subprotocol token");
            }
        }
        return checked(a, () -> new AudioForkConfig(paths(r, a), subprotocols, rate, mix, r.bool(p + "send-transcripts"),
                limits(r, a)));
    }

    static TwilioConfig twilio(ConfigReader r) {
        String a = "twilio";
        String p = MEDIA + a + ".";
        return checked(a, () -> new TwilioConfig(paths(r, a),
                r.durationIn(p + "conceal-cap", Duration.ZERO, Duration.ofSeconds(10)),
                r.durationIn(p + "silence-cap", Duration.ZERO, Duration.ofMinutes(10)),
                (int) r.bytesIn(p + "max-payload-bytes", 160, 1 << 20), limits(r, a)));
    }

    static AudioSocketConfig audioSocket(ConfigReader r) {
        String a = "audiosocket";
        String p = MEDIA + a + ".";
        return checked(a, () -> new AudioSocketConfig(r.string(p + "bind"), r.intIn(p + "port", 0, 65535),
                kindRates(r, p + "kinds"), (int) r.bytesIn(p + "max-payload-bytes", 320, 65535),
                r.durationIn(p + "idle-timeout", Duration.ZERO, Duration.ofDays(1)),
                r.intIn(p + "max-connections", 1, 100_000)));
    }

    /** {"0x10" = 8000, ...}: kinds as hex (0x10..0xfe) or decimal; a kind set to null is left out. */
    private static Map<Integer, Integer> kindRates(ConfigReader r, String key) {
        Map<Integer, Integer> rates = new TreeMap<>();
        for (Map.Entry<String, ConfigValue> e : r.object(key).entrySet()) {
            String entryKey = key + "." + ConfigKeys.quote(e.getKey());
            if (e.getValue().valueType() == ConfigValueType.NULL) continue;
            int kind = kind(e.getKey(), entryKey);
            rates.put(kind, r.intIn(entryKey, 8000, 192_000));
        }
        if (rates.isEmpty()) throw new InvalidConfigException(key, "at least one audio kind");
        return rates;
    }

    private static int kind(String text, String key) {
        String t = text.trim().toLowerCase(java.util.Locale.ROOT);
        try {
            int k = t.startsWith("0x") ? Integer.parseInt(t.substring(2), 16) : Integer.parseInt(t);
            if (k >= 0x10 && k <= 0xfe) return k;
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new InvalidConfigException(key, "an audio kind is 0x10..0xfe (hex or decimal), not '" + text + "'");
    }

    /** Builds an adapter's record; its own validation is reported under the adapter's section. */
    static <T> T checked(String adapter, java.util.function.Supplier<T> build) {
        try {
            return build.get();
        } catch (InvalidConfigException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw new InvalidConfigException(MEDIA + adapter, e.getMessage());
        }
    }
}
