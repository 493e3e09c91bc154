package org.streamasr.server;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValue;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.streamasr.captions.CaptionsConfig;
import org.streamasr.engine.EngineConfig;
import org.streamasr.stream.CallsConfig;

/**
 * The server's validated settings (asr.server, asr.calls, asr.captions, asr.engine, asr.models, asr.media, asr.sip).
 * Built once at start-up by {@link #from(Config)}, which names the key of any bad value. {@link #raw()} is the whole
 * config, for the sections other components read themselves (the hosted API).
 */
public record ServerConfig(
        String host,
        int port,
        String publicUrl,
        int networkThreads,
        int eventThreads,
        Duration shutdownGrace,
        java.util.List<String> apiKeys,
        CallsConfig calls,
        CaptionsConfig captions,
        EngineConfig engine,
        Map<String, EngineConfig> models,
        MediaConfig media,
        Config raw) {

    public static ServerConfig from(Config config) {
        ConfigReader r = new ConfigReader(config);
        String publicUrl = r.optionalString("asr.server.public-url");
        if (publicUrl != null) {
            try {
                URI u = URI.create(publicUrl);
                if (u.getScheme() == null || !u.getScheme().matches("https?") || u.getHost() == null) {
                    throw new IllegalArgumentException("needs http(s)://host");
                }
            } catch (IllegalArgumentException e) {
                throw new InvalidConfigException("asr.server.public-url", "must be an http(s) URL such as "
                        + "https://asr.example.org, got '" + publicUrl + "'");
            }
            publicUrl = publicUrl.replaceAll("/+$", "");
        }
        int cores = Runtime.getRuntime().availableProcessors();
        int network = r.intIn("asr.server.network-threads", 0, 1024);
        int event = r.intIn("asr.server.event-threads", 0, 1024);
        CaptionsConfig captions = new CaptionsConfig(
                r.intIn("asr.captions.history", 0, 100_000),
                r.intIn("asr.captions.max-subscribers-per-call", 1, 100_000),
                r.bytesIn("asr.captions.subscriber-max-queued-bytes", 1024, 1L << 30),
                r.durationIn("asr.captions.send-timeout", Duration.ofMillis(100), Duration.ofHours(1)));
        EngineConfig engine = EngineConfigReader.options(r, "asr.engine");
        Map<String, EngineConfig> models = new LinkedHashMap<>();
        Config modelsConfig = config.getConfig("asr.models");
        for (Map.Entry<String, ConfigValue> e : modelsConfig.root().entrySet()) {
            String name = e.getKey();
            String key = "asr.models." + ConfigKeys.quote(name);
            Config merged = config.getConfig(key).withFallback(config.getConfig("asr.engine"));
            EngineConfig options = EngineConfigReader.options(new ConfigReader(merged.atPath(key)), key);
            if (options.modelDir() == null && !"sphinx".equals(options.engine())) {
                throw new InvalidConfigException(key + ".model-dir", "a named model needs its model directory");
            }
            models.put(name, options);
        }
        CallsConfig calls = new CallsConfig(
                r.intIn("asr.calls.max", 1, 1_000_000),
                r.durationIn("asr.calls.idle-timeout", Duration.ofMillis(100), Duration.ofDays(1)),
                r.durationIn("asr.calls.max-gap-fill", Duration.ZERO, Duration.ofMinutes(1)),
                r.intIn("asr.calls.event-queue", 16, 1_000_000),
                r.durationIn("asr.calls.finish-timeout", Duration.ofMillis(100), Duration.ofMinutes(10)),
                r.durationIn("asr.calls.participant-idle-finalize", Duration.ZERO, Duration.ofHours(1)),
                idleSilence(r, engine, models.values()));
        java.util.List<String> apiKeys = java.util.List.copyOf(r.stringList("asr.server.api-keys"));
        if (apiKeys.contains(EXAMPLE_API_KEY)) {
            // docker-jitsi-meet's rule for its example passwords: a key everybody can read is no key
            throw new InvalidConfigException("asr.server.api-keys", "'" + EXAMPLE_API_KEY + "' is the example "
                    + "configs' placeholder; set your own keys (ASR_API_KEYS=k1,k2 overrides the file)");
        }
        return new ServerConfig(
                r.string("asr.server.host"),
                r.intIn("asr.server.port", 0, 65535),
                publicUrl,
                network == 0 ? 2 * cores : network,
                event == 0 ? cores : event,
                r.durationIn("asr.server.shutdown-grace", Duration.ZERO, Duration.ofHours(1)),
                apiKeys,
                calls, captions, engine, Map.copyOf(models), MediaConfig.read(r), config);
    }

    /**
     * asr.calls.participant-idle-silence, by default the longest endpoint-trailing-silence of the configured engines
     * plus {@link #IDLE_SILENCE_MARGIN} (the largest chunk, 1.12 s, and the encoder's look-ahead).
     */
    private static Duration idleSilence(ConfigReader r, EngineConfig engine, java.util.Collection<EngineConfig> models) {
        String key = "asr.calls.participant-idle-silence";
        if (r.optionalString(key) != null) return r.durationIn(key, Duration.ofMillis(100), Duration.ofMinutes(1));
        Duration trailing = engine.endpointTrailingSilence();
        for (EngineConfig m : models) {
            if (m.endpointTrailingSilence() != null && m.endpointTrailingSilence().compareTo(trailing) > 0) {
                trailing = m.endpointTrailingSilence();
            }
        }
        return trailing.plus(IDLE_SILENCE_MARGIN);
    }

    /** The key in config/jitsi.conf and config/sip-platform.conf, refused so that no server runs with it. */
    static final String EXAMPLE_API_KEY = "change-me";

    /** What idle silence needs beyond an engine's trailing silence: its largest chunk plus the encoder's look-ahead. */
    static final Duration IDLE_SILENCE_MARGIN = Duration.ofMillis(1500);
}
