package org.streamasr.engine;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How to build an engine. Built from the server's config ({@code asr.engine.*} in reference.conf) or from CLI flags.
 * Engine-specific settings that have no field here go in {@link #extra()}.
 */
public record EngineConfig(
        String engine,
        Path modelDir,
        String provider,
        int intraOpThreads,
        int inferenceWorkers,
        int maxBatch,
        Duration maxBatchWait,
        Path vadModel,
        Duration endpointTrailingSilence,
        Duration maxUtterance,
        Duration streamBuffer,
        String defaultLanguage,
        Acceleration defaultAcceleration,
        Map<String, String> extra) {

    public EngineConfig {
        extra = extra == null ? Map.of() : Map.copyOf(extra);
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.engine = engine;
        b.modelDir = modelDir;
        b.provider = provider;
        b.intraOpThreads = intraOpThreads;
        b.inferenceWorkers = inferenceWorkers;
        b.maxBatch = maxBatch;
        b.maxBatchWait = maxBatchWait;
        b.vadModel = vadModel;
        b.endpointTrailingSilence = endpointTrailingSilence;
        b.maxUtterance = maxUtterance;
        b.streamBuffer = streamBuffer;
        b.defaultLanguage = defaultLanguage;
        b.defaultAcceleration = defaultAcceleration;
        b.extra.putAll(extra);
        return b;
    }

    /** Defaults match config/reference.conf. */
    public static final class Builder {
        private String engine = "sphinx";
        private Path modelDir;
        private String provider = "cpu";
        private int intraOpThreads = 0;
        private int inferenceWorkers = 1;
        private int maxBatch = 32;
        private Duration maxBatchWait = Duration.ofMillis(10);
        private Path vadModel;
        private Duration endpointTrailingSilence = Duration.ofMillis(800);
        private Duration maxUtterance = Duration.ofSeconds(20);
        private Duration streamBuffer = Duration.ofSeconds(10);
        private String defaultLanguage = "auto";
        private Acceleration defaultAcceleration = Acceleration.REGULAR;
        private final Map<String, String> extra = new LinkedHashMap<>();

        public Builder engine(String v) { engine = v; return this; }
        public Builder modelDir(Path v) { modelDir = v; return this; }
        public Builder provider(String v) { provider = v; return this; }
        public Builder intraOpThreads(int v) { intraOpThreads = v; return this; }
        public Builder inferenceWorkers(int v) { inferenceWorkers = v; return this; }
        public Builder maxBatch(int v) { maxBatch = v; return this; }
        public Builder maxBatchWait(Duration v) { maxBatchWait = v; return this; }
        public Builder vadModel(Path v) { vadModel = v; return this; }
        public Builder endpointTrailingSilence(Duration v) { endpointTrailingSilence = v; return this; }
        public Builder maxUtterance(Duration v) { maxUtterance = v; return this; }
        public Builder streamBuffer(Duration v) { streamBuffer = v; return this; }
        public Builder defaultLanguage(String v) { defaultLanguage = v; return this; }
        public Builder defaultAcceleration(Acceleration v) { defaultAcceleration = v; return this; }
        public Builder extra(String key, String value) { extra.put(key, value); return this; }

        public EngineConfig build() {
            return new EngineConfig(engine, modelDir, provider, intraOpThreads, inferenceWorkers, maxBatch,
                    maxBatchWait, vadModel, endpointTrailingSilence, maxUtterance, streamBuffer, defaultLanguage,
                    defaultAcceleration, extra);
        }
    }
}
