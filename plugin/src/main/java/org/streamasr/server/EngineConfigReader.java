package org.streamasr.server;

import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.streamasr.engine.Acceleration;
import org.streamasr.engine.EngineConfig;
import org.streamasr.engine.UnsupportedSettingException;
import org.streamasr.engine.vad.SileroVadModel;

/** Reads an asr.engine section (or a named model, which overrides it) into {@link EngineConfig}. */
public final class EngineConfigReader {
    /** Keys with a field of their own; every other value of the section goes to {@link EngineConfig#extra()}. */
    private static final Set<String> FIELDS = Set.of("name", "model-dir", "provider", "intra-op-threads",
            "inference-workers", "max-batch", "max-batch-wait", "vad-model", "endpoint-trailing-silence",
            "max-utterance", "stream-buffer", "default-language", "default-acceleration");

    private static final Logger log = LoggerFactory.getLogger(EngineConfigReader.class);

    private EngineConfigReader() {
    }

    /**
     * The VAD model file. When the setting is reference.conf's default (the installed model under ASR_HOME) and the
     * file is not there, the nemotron engine runs without a VAD, and says so at start-up with the path searched and
     * the command that fetches it; a path the user set must exist (the engine refuses to start otherwise).
     */
    private static Path vadModel(ConfigReader r, String p) {
        Path file = InstallPaths.resolve(r.optionalPath(p + "vad-model"));
        if (file == null || Files.isRegularFile(file) || !"nemotron".equals(r.optionalString(p + "name"))) return file;
        String origin = r.config().getValue(p + "vad-model").origin().description();
        if (!origin.contains("reference.conf")) return file;
        log.warn("{}: {}; set {}vad-model = null to run without it and say nothing", p + "vad-model",
                SileroVadModel.notInstalledWarning(file), p);
        return null;
    }

    public static EngineConfig options(ConfigReader r, String section) {
        String p = section + ".";
        Acceleration acceleration;
        try {
            acceleration = Acceleration.parse(r.string(p + "default-acceleration"));
        } catch (UnsupportedSettingException e) {
            throw new InvalidConfigException(p + "default-acceleration", e.getMessage());
        }
        EngineConfig.Builder b = EngineConfig.builder()
                .engine(r.string(p + "name"))
                .modelDir(r.optionalPath(p + "model-dir"))
                .provider(r.oneOf(p + "provider", java.util.List.of("cpu", "cuda")))
                .intraOpThreads(r.intIn(p + "intra-op-threads", 0, 1024))
                .inferenceWorkers(r.intIn(p + "inference-workers", 1, 1024))
                .maxBatch(r.intIn(p + "max-batch", 1, 4096))
                .maxBatchWait(r.durationIn(p + "max-batch-wait", Duration.ZERO, Duration.ofSeconds(10)))
                .vadModel(vadModel(r, p))
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
