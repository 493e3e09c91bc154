package org.streamasr.engine.nemotron;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.streamasr.engine.Acceleration;
import org.streamasr.engine.StreamSpec;
import org.streamasr.tools.testmodel.TestModelPrecision;
import org.streamasr.tools.testmodel.TestModelSpec;
import org.streamasr.tools.testmodel.TestModelVariant;
import org.streamasr.tools.testmodel.ToneScript;

/**
 * fp16 exports (the ones for CUDA): a float16 input or output is converted at the tensor boundary while the caches stay
 * float32 in Java; a float32 one ({@code keep_io_types}) is bound as it is. The constructed fp16 model has both kinds
 * (encoder and joiner float16, decoder float32) and float16 weights, and still transcribes exactly.
 */
class Fp16ModelTest {
    private static NemotronEngine engine;

    static Path fp16Model() {
        return TestModels.written("ml-fp16", TestModelSpec.tiny(TestModelVariant.ML).withPrecision(TestModelPrecision.FP16));
    }

    @BeforeAll
    static void open() {
        NemotronEngineTest.trackLeaks();
        engine = NemotronEngine.open(NemotronEngineTest.options(TestModelVariant.ML).modelDir(fp16Model())
                .maxBatchWait(Duration.ofMillis(20)).build());
    }

    @AfterAll
    static void close() {
        engine.close();
    }

    @Test
    void portsAreThoseOfAnFp16Export() {
        ModelDirectory.Export e = ModelDirectory.scan(fp16Model(), List.of()).get(560);
        assertEquals("encoder.fp16.onnx", e.encoder().getFileName().toString());
        OnnxFileSummary encoder = e.encoderSummary();
        for (String port : List.of("audio_signal", "cache_last_channel", "cache_last_time")) {
            assertEquals(PortChecks.FLOAT16, encoder.input(port).elemType(), port);
        }
        assertEquals(PortChecks.FLOAT16, encoder.output("cache_last_channel_next").elemType());
        assertEquals(PortChecks.INT64, encoder.input("cache_last_channel_len").elemType());
        OnnxFileSummary joiner = OnnxFileSummary.read(e.joiner());
        assertEquals(PortChecks.FLOAT16, joiner.input("encoder_outputs").elemType());
        assertEquals(PortChecks.FLOAT16, joiner.output("outputs").elemType());
        OnnxFileSummary decoder = OnnxFileSummary.read(e.decoder());
        assertEquals(PortChecks.FLOAT, decoder.inputs().get(PredictionContract.DECODER_STATE_H).elemType(), "keep_io_types");
        assertEquals(List.of(), e.dynamicQuantization());
    }

    @ParameterizedTest
    @EnumSource(Acceleration.class)
    void transcribesExactlyInEveryMode(Acceleration mode) throws Exception {
        ToneScript script = ToneScript.builder(TestModelVariant.ML).say("en-US", "hello world. this is a test.")
                .say("de-DE", "guten morgen, wie geht es dir?").build();
        Recorder r = NemotronEngineTest.transcribe(engine, StreamSpec.file("auto", mode, "fp16"), script.samples(), 1600);
        NemotronEngineTest.assertMatches(script, "auto", r);
    }

    @Test
    void forcedLanguageAndTagsAsWithFp32() throws Exception {
        ToneScript german = ToneScript.builder(TestModelVariant.ML).say("de-DE", "hallo welt. das ist ein test.").build();
        for (String language : List.of("auto", "de-DE", "en-US")) {
            Recorder r = NemotronEngineTest.transcribe(engine, StreamSpec.live(language, Acceleration.REGULAR, language),
                    german.samples(), 320);
            NemotronEngineTest.assertMatches(german, language, r);
        }
    }
}
