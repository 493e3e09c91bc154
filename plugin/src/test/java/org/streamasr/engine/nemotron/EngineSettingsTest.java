package org.streamasr.engine.nemotron;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtProvider;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.streamasr.engine.EngineConfig;
import org.streamasr.tools.testmodel.TestModelVariant;

/** Bad engine settings fail at start-up with the key named. */
class EngineSettingsTest {
    private static String refused(EngineConfig.Builder b) {
        return assertThrows(IllegalArgumentException.class, () -> NemotronEngine.open(b.build()).close()).getMessage();
    }

    private static EngineConfig.Builder base() {
        return NemotronEngineTest.options(TestModelVariant.EN);
    }

    @Test
    void engineSpecificSettingsAreChecked() {
        assertTrue(refused(base().extra("nemotron.tail-padding", "soon")).startsWith("asr.engine.nemotron.tail-padding: 'soon'"));
        assertTrue(refused(base().extra("nemotron.max-symbols-per-frame", "0")).contains("max-symbols-per-frame"));
        assertTrue(refused(base().extra("nemotron.precision", "bf16")).contains("nemotron.precision"));
        assertTrue(refused(base().extra("nemotron.int8-batching", "sometimes"))
                .startsWith("asr.engine.nemotron.int8-batching: 'sometimes' is not exact or shared"));
        assertTrue(refused(base().extra("nemotron.vad-skip", "maybe")).startsWith("asr.engine.nemotron.vad-skip: 'maybe'"));
        assertTrue(refused(base().extra("nemotron.ort.inter-op-thread", "2")).startsWith("asr.engine.nemotron.ort.inter-op-thread: unknown"));
        assertTrue(refused(base().extra("nemotron.ort.optimization-level", "max")).contains("optimization-level"));
        assertTrue(refused(base().provider("tpu")).startsWith("asr.engine.provider: 'tpu'"));
        assertTrue(refused(base().maxBatch(0)).contains("max-batch"));
        assertTrue(refused(base().defaultLanguage("fr-FR")).startsWith("asr.engine.default-language: unsupported language 'fr-FR'"));
        assertTrue(refused(base().defaultAcceleration(org.streamasr.engine.Acceleration.HIGH))
                .startsWith("asr.engine.default-acceleration: 'high' has no 320 ms export"));
    }

    @Test
    void cudaWithoutTheCudaBuildIsAClearError() {
        Assumptions.assumeFalse(OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA),
                "SKIPPED: this build has the CUDA provider");
        String message = refused(base().provider("cuda"));
        assertTrue(message.contains("no CUDA execution provider") && message.contains("-Pcuda"), message);
    }

    @Test
    void goodOrtOptionsAreAccepted() {
        try (NemotronEngine e = NemotronEngine.open(base().extra("nemotron.ort.inter-op-threads", "1")
                .extra("nemotron.ort.optimization-level", "extended").extra("nemotron.ort.execution-mode", "sequential")
                .extra("nemotron.ort.config.session.intra_op.allow_spinning", "0").extra("nemotron.tail-padding", "1s").build())) {
            assertEquals("nemotron", e.name());
        }
    }
}
