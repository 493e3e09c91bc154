package org.streamasr.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.typesafe.config.Config;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.streamasr.engine.EngineConfig;

/** serve with the nemotron engine and no installed VAD model: a start-up warning naming the path and the fix. */
class EngineConfigReaderTest {
    private static EngineConfig options(Map<String, Object> flags) {
        Config c = ConfigLoader.load(null, Map.of(), flags);
        return EngineConfigReader.options(new ConfigReader(c), "asr.engine");
    }

    private static List<String> warnings(Supplier<EngineConfig> read) {
        Logger logger = (Logger) LoggerFactory.getLogger(EngineConfigReader.class);
        ListAppender<ILoggingEvent> logged = new ListAppender<>();
        logged.start();
        logger.addAppender(logged);
        try {
            read.get();
        } finally {
            logger.detachAppender(logged);
        }
        return logged.list.stream().filter(e -> e.getLevel() == Level.WARN).map(ILoggingEvent::getFormattedMessage).toList();
    }

    @Test
    void theDefaultVadModelMissingIsAWarningAndNoVad() {
        Path byDefault = options(Map.of()).vadModel();
        Assumptions.assumeFalse(byDefault == null || Files.isRegularFile(byDefault),
                "SKIPPED: the default VAD model " + byDefault + " is installed");
        Map<String, Object> nemotron = Map.of("asr.engine.name", "nemotron", "asr.engine.model-dir", "/m");
        List<String> said = warnings(() -> {
            assertNull(options(nemotron).vadModel(), "runs without a VAD");
            return null;
        });
        assertEquals(1, said.size(), said.toString());
        assertTrue(said.get(0).contains("no Silero VAD model at " + byDefault) && said.get(0).contains("scripts/fetch-vad-model")
                && said.get(0).contains("asr.engine.vad-model = null"), said.get(0));

        assertEquals(List.of(), warnings(() -> options(Map.of("asr.engine.name", "sphinx"))), "sphinx has its own VAD");
        List<String> explicit = warnings(() -> {
            assertEquals(Path.of("/nowhere/vad.onnx"), options(Map.of("asr.engine.name", "nemotron", "asr.engine.model-dir", "/m",
                    "asr.engine.vad-model", "/nowhere/vad.onnx")).vadModel(), "a path the user set is kept: the engine refuses it");
            return null;
        });
        assertEquals(List.of(), explicit);
    }
}
