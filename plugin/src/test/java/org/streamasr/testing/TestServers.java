package org.streamasr.testing;

import java.util.LinkedHashMap;
import java.util.Map;
import org.streamasr.server.ConfigLoader;
import org.streamasr.server.ServerConfig;

/** Server configs for tests: an ephemeral port on the loopback interface, plus the test's own settings. */
public final class TestServers {
    private TestServers() {
    }

    public static ServerConfig config(Map<String, Object> settings) {
        Map<String, Object> flags = new LinkedHashMap<>();
        flags.put("asr.server.host", "127.0.0.1");
        flags.put("asr.server.port", 0);
        flags.put("asr.server.network-threads", 4);
        flags.put("asr.server.event-threads", 2);
        flags.put("asr.server.shutdown-grace", "5s");
        flags.put("asr.media.rtp.port-min", 0);
        flags.put("asr.media.rtp.port-max", 0);
        flags.put("asr.media.cpu-threads", 2);
        flags.put("asr.media.audiosocket.port", 0);
        flags.putAll(settings);
        return ServerConfig.from(ConfigLoader.load(null, Map.of(), flags));
    }

    public static ServerConfig config() {
        return config(Map.of());
    }
}
