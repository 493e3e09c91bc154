package org.streamasr.server;

import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.streamasr.engine.Acceleration;
import org.streamasr.engine.EngineOptions;
import org.streamasr.engine.UnsupportedSettingException;

/** Reads an asr.engine section (or a named model, which overrides it) into {@link EngineOptions}. */
public final class EngineConfig {
    /** Keys with a field of their own; every other value of the section goes to {@link EngineOptions#extra()}. */
    private static final Set<String> FIELDS = Set.of("name", "model-dir", "provider", "intra-op-threads",
            "inference-workers", "max-batch", "max-batch-wait", "vad-model", "endpoint-trailing-silence",
            "max-utterance", "stream-buffer", "default-language", "default-acceleration");

    private EngineConfig() {
    }

    public static EngineOptions options(ConfigReader r, String section) {
        String p = section + ".";
        Acceleration acceleration;
        try {
            acceleration = Acceleration.parse(r.string(p + "default-acceleration"));
        } catch (UnsupportedSettingException e) {
            throw new InvalidConfigException(p + "default-acceleration", e.getMessage());
        }
        EngineOptions.Builder b = EngineOptions.builder()
                .engine(r.string(p + "name"))
                .modelDir(r.optionalPath(p + "model-dir"))
                .provider(r.oneOf(p + "provider", java.util.List.of("cpu", "cuda")))
                .intraOpThreads(r.intIn(p + "intra-op-threads", 0, 1024))
                .inferenceWorkers(r.intIn(p + "inference-workers", 1, 1024))
                .maxBatch(r.intIn(p + "max-batch", 1, 4096))
                .maxBatchWait(r.durationIn(p + "max-batch-wait", Duration.ZERO, Duration.ofSeconds(10)))
                .vadModel(r.optionalPath(p + "vad-model"))
                .endpointTrailingSilence(r.durationIn(p + "endpoint-trailing-silence", Duration.ofMillis(50),
                        Duration.ofMinutes(1)))
                .maxUtterance(r.durationIn(p + "max-utterance", Duration.ofSeconds(1), Duration.ofHours(1)))
                .streamBuffer(r.durationIn(p + "stream-buffer", Duration.ofMillis(100), Duration.ofHours(1)))
                .defaultLanguage(r.string(p + "default-language"))
                .defaultAcceleration(acceleration);
        // Engine-specific settings, flattened: asr.engine.sphinx.workers becomes extra "sphinx.workers".
        for (Map.Entry<String, ConfigValue> e : r.config().getConfig(section).entrySet()) {
            ConfigValue v = e.getValue();
            if (FIELDS.contains(e.getKey()) || v.valueType() == ConfigValueType.LIST) continue;
            b.extra(e.getKey(), String.valueOf(v.unwrapped()));
        }
        return b.build();
    }
}
