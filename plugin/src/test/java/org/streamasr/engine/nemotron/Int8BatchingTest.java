package org.streamasr.engine.nemotron;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.slf4j.LoggerFactory;
import org.streamasr.engine.Acceleration;
import org.streamasr.engine.EngineConfig;
import org.streamasr.engine.RecognitionStream;
import org.streamasr.engine.StreamSpec;
import org.streamasr.tools.testmodel.TestModelPrecision;
import org.streamasr.tools.testmodel.TestModelSpec;
import org.streamasr.tools.testmodel.TestModelVariant;
import org.streamasr.tools.testmodel.ToneScript;

/**
 * Dynamically quantised exports (the sherpa-onnx int8 files; here the constructed int8 model, quantised the same way):
 * detected at start-up, and by default rewritten to quantise each stream's row on its own ({@link RowQuantization}), so
 * that a batch of N streams gives each exactly what it gets alone (bit for bit: {@code BatchedRunsTest});
 * {@code int8-batching = shared} batches the graph as written.
 */
class Int8BatchingTest {
    private static final List<ToneScript> SCRIPTS = List.of(
            ToneScript.builder(TestModelVariant.ML).say("en-US", "hello world. this is a test.").build(),
            ToneScript.builder(TestModelVariant.ML).leadingSilenceMillis(400).say("de-DE", "hallo welt. wie geht es dir?").build(),
            ToneScript.builder(TestModelVariant.ML).leadingSilenceMillis(160).say("en-US", "good morning, world?")
                    .say("en-US", "this is a good test.").build(),
            ToneScript.builder(TestModelVariant.ML).leadingSilenceMillis(720).say("de-DE", "guten morgen. das ist ein test.").build(),
            ToneScript.builder(TestModelVariant.ML).leadingSilenceMillis(80).say("en-US", "streaming speech recognition.").build());
    private static final List<String> LANGUAGES = List.of("auto", "auto", "en-US", "de-DE", "auto");

    @BeforeAll
    static void track() {
        NemotronEngineTest.trackLeaks();
    }

    static Path int8Model() {
        return TestModels.written("ml-int8", TestModelSpec.tiny(TestModelVariant.ML).withPrecision(TestModelPrecision.INT8));
    }

    private static EngineConfig.Builder options(String int8Batching) {
        EngineConfig.Builder b = NemotronEngineTest.options(TestModelVariant.ML).modelDir(int8Model()).maxBatch(8)
                .maxBatchWait(Duration.ofMillis(50));
        return int8Batching == null ? b : b.extra("nemotron.int8-batching", int8Batching);
    }

    @Test
    void theQuantisedFilesAreFoundAndDetected() {
        ModelDirectory.Export e = ModelDirectory.scan(int8Model(), List.of()).get(560);
        assertEquals("encoder.int8.onnx", e.encoder().getFileName().toString());
        assertEquals("joiner.int8.onnx", e.joiner().getFileName().toString());
        assertEquals(List.of("encoder.int8.onnx (DynamicQuantizeLinear)", "joiner.int8.onnx (DynamicQuantizeLinear)"),
                e.dynamicQuantization());
        assertFalse(ModelDirectory.scan(TestModels.tiny(TestModelVariant.ML), List.of()).get(560).dynamicallyQuantized(),
                "the fp32 files quantise nothing");
    }

    @ParameterizedTest
    @EnumSource(value = Acceleration.class, names = {"REGULAR", "FULL"})
    void theInt8ModelTranscribesExactly(Acceleration mode) throws Exception {
        ToneScript script = ToneScript.builder(TestModelVariant.ML).say("en-US", "hello world. this is a test.")
                .say("de-DE", "guten morgen, wie geht es dir?").build();
        try (NemotronEngine e = NemotronEngine.open(options(null).build())) {
            Recorder r = NemotronEngineTest.transcribe(e, StreamSpec.file("auto", mode, "int8"), script.samples(), 1600);
            NemotronEngineTest.assertMatches(script, "auto", r);
        }
    }

    private record Run(List<Recorder> recorders, long batches, long items) {
    }

    /** All scripts at once, as live streams of one engine. */
    private static Run together(NemotronEngine engine) throws Exception {
        long batches = engine.batchesRun();
        long items = engine.scheduledItems();
        List<Recorder> recorders = new ArrayList<>();
        List<RecognitionStream> streams = new ArrayList<>();
        try {
            for (int i = 0; i < SCRIPTS.size(); i++) {
                Recorder r = new Recorder();
                recorders.add(r);
                streams.add(engine.openStream(StreamSpec.live(LANGUAGES.get(i), Acceleration.FULL, "b-" + i), r));
            }
            for (int i = 0; i < SCRIPTS.size(); i++) {
                float[] audio = SCRIPTS.get(i).samples();
                assertTrue(streams.get(i).accept(audio, 0, audio.length));
            }
            streams.forEach(RecognitionStream::finish);
            for (Recorder r : recorders) r.awaitFinished(Duration.ofSeconds(60));
        } finally {
            streams.forEach(RecognitionStream::close);
        }
        return new Run(recorders, engine.batchesRun() - batches, engine.scheduledItems() - items);
    }

    @Test
    void byDefaultTheGraphIsRewrittenPerStreamSoStreamsBatchAndEachGetsWhatItGetsAlone() throws Exception {
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        ListAppender<ILoggingEvent> logged = new ListAppender<>();
        logged.start();
        root.addAppender(logged);
        List<Recorder> alone = new ArrayList<>();
        try (NemotronEngine engine = NemotronEngine.open(options(null).build())) {
            assertEquals(8, engine.maxBatch(Acceleration.FULL), "max-batch 8: the rewritten graph quantises per stream");
            root.detachAppender(logged);
            List<String> why = logged.list.stream().map(ILoggingEvent::getFormattedMessage)
                    .filter(m -> m.contains("int8-batching")).toList();
            assertEquals(1, why.size(), "said once, at start-up: " + why);
            assertTrue(why.get(0).contains("encoder.int8.onnx (DynamicQuantizeLinear)") && why.get(0).contains("= exact")
                    && why.get(0).contains("batch-mates") && why.get(0).contains("rewritten"), why.get(0));
            List<String> weights = logged.list.stream().map(ILoggingEvent::getFormattedMessage)
                    .filter(m -> m.contains("int8-weights = auto")).toList();
            assertEquals(1, weights.size(), "the int8 weights decision, said once when the export loads: " + weights);

            for (int i = 0; i < SCRIPTS.size(); i++) {
                alone.add(NemotronEngineTest.transcribe(engine, StreamSpec.file(LANGUAGES.get(i), Acceleration.FULL,
                        "alone-" + i), SCRIPTS.get(i).samples(), 1600));
            }
            Run run = together(engine);
            assertTrue(run.batches() * 2 < run.items(), "streams shared model runs: " + run.items() + " chunks in "
                    + run.batches() + " runs");
            for (int i = 0; i < SCRIPTS.size(); i++) {
                NemotronEngineTest.assertMatches(SCRIPTS.get(i), LANGUAGES.get(i), run.recorders().get(i));
                assertEquals(NemotronEngineTest.strip(alone.get(i).finals()),
                        NemotronEngineTest.strip(run.recorders().get(i).finals()), "stream " + i);
            }
        } finally {
            root.detachAppender(logged);
        }
    }

    @Test
    void sharedBatchesThem() throws Exception {
        try (NemotronEngine engine = NemotronEngine.open(options("shared").build())) {
            assertEquals(8, engine.maxBatch(Acceleration.FULL));
            Run run = together(engine);
            assertTrue(run.batches() * 2 < run.items(), "streams shared model runs: " + run.items() + " chunks in "
                    + run.batches() + " runs");
            // the tone model's decisions have margins far above the quantisation steps, so its text survives; the
            // model state does not stay bit-identical (BatchedRunsTest.int8EncoderBatchDependsOnBatchMates)
            for (int i = 0; i < SCRIPTS.size(); i++) {
                NemotronEngineTest.assertMatches(SCRIPTS.get(i), LANGUAGES.get(i), run.recorders().get(i));
            }
        }
    }
}
