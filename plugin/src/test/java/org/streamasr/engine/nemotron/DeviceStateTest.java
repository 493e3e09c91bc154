package org.streamasr.engine.nemotron;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtEnvironment;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.streamasr.engine.Acceleration;
import org.streamasr.engine.EngineConfig;
import org.streamasr.engine.RecognitionStream;
import org.streamasr.engine.StreamSpec;
import org.streamasr.tools.testmodel.TestModelPrecision;
import org.streamasr.tools.testmodel.TestModelSpec;
import org.streamasr.tools.testmodel.TestModelVariant;
import org.streamasr.tools.testmodel.ToneScript;

/**
 * {@code device-state = device} on the CPU execution provider: the same code path as on a GPU (caches resident in
 * the session's device memory, stacked and unstacked there by graphs, the encoder run with IO binding), which must
 * give exactly what the host path gives: the same caches bit for bit, the same transcripts and token times, fp32, int8
 * and fp16, a batch equal to each stream alone; and copy no cache byte between host and device.
 */
class DeviceStateTest {
    private static final List<ToneScript> SCRIPTS = List.of(
            ToneScript.builder(TestModelVariant.ML).say("en-US", "hello world. this is a test.").build(),
            ToneScript.builder(TestModelVariant.ML).leadingSilenceMillis(400).say("de-DE", "hallo welt. wie geht es dir?").build(),
            ToneScript.builder(TestModelVariant.ML).leadingSilenceMillis(160).say("en-US", "good morning, world?")
                    .say("en-US", "this is a good test.").build(),
            ToneScript.builder(TestModelVariant.ML).leadingSilenceMillis(720).say("de-DE", "guten morgen. das ist ein test.").build());
    private static final List<String> LANGUAGES = List.of("auto", "auto", "en-US", "de-DE");

    @BeforeAll
    static void track() {
        NemotronEngineTest.trackLeaks();
        org.streamasr.testing.LeakCheckExtension.track("device tensors", org.streamasr.engine.ort.DeviceTensor::openInProcess);
    }

    private static Path model(String precision) {
        return switch (precision) {
            case "int8" -> Int8BatchingTest.int8Model();
            case "fp16" -> Fp16ModelTest.fp16Model();
            default -> TestModels.tiny(TestModelVariant.ML);
        };
    }

    private static EngineConfig options(String precision, String state) {
        return NemotronEngineTest.options(TestModelVariant.ML).modelDir(model(precision)).maxBatch(8)
                .maxBatchWait(Duration.ofMillis(20)).extra("nemotron.device-state", state).build();
    }

    private static List<List<String>> alone(NemotronEngine engine) throws Exception {
        List<List<String>> out = new ArrayList<>();
        for (int i = 0; i < SCRIPTS.size(); i++) {
            Recorder r = NemotronEngineTest.transcribe(engine, StreamSpec.file(LANGUAGES.get(i), Acceleration.FULL,
                    "alone-" + i), SCRIPTS.get(i).samples(), 1600);
            NemotronEngineTest.assertMatches(SCRIPTS.get(i), LANGUAGES.get(i), r);
            out.add(NemotronEngineTest.strip(r.finals()));
        }
        return out;
    }

    private static List<List<String>> together(NemotronEngine engine) throws Exception {
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
        assertTrue((engine.batchesRun() - batches) * 2 < engine.scheduledItems() - items, "streams shared model runs");
        List<List<String>> out = new ArrayList<>();
        for (Recorder r : recorders) out.add(NemotronEngineTest.strip(r.finals()));
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"fp32", "int8", "fp16"})
    void deviceResidentCachesGiveTheHostPathsTranscriptsAloneAndBatched(String precision) throws Exception {
        List<List<String>> host;
        long hostToDevice;
        long hostChunks;
        long hostState;
        try (NemotronEngine e = NemotronEngine.open(options(precision, "host"))) {
            host = alone(e);
            hostToDevice = e.stats().bytesToDevice();
            hostChunks = e.chunksRun();
            hostState = e.stats().stateBytes();
        }
        try (NemotronEngine e = NemotronEngine.open(options(precision, "device"))) {
            assertEquals(host, alone(e), "alone, device-resident caches");
            long deviceToDevice = e.stats().bytesToDevice();
            assertEquals(hostChunks, e.chunksRun());
            ChunkModel m = e.model(Acceleration.FULL);
            long caches = m.deviceEncoder().cacheBytesPerStream();
            long states = 2L * m.contract.predLayers() * m.contract.predHidden() * Float.BYTES;
            assertEquals(hostState, e.stats().stateBytes(), "the same state read on both paths");
            // both paths prime the decoder on the host once at load (one row of states): that stays in both counts
            assertEquals(hostToDevice - deviceToDevice, hostState - states,
                    "the device path feeds the host path's bytes less the caches and decoder states");
            long beyondCaches = hostState - states - hostChunks * caches;
            assertTrue(beyondCaches > 0 && beyondCaches % states == 0, "every chunk's caches, and decoder states per "
                    + "call and row: " + beyondCaches + " bytes beyond the caches, states " + states);
            assertEquals(host, together(e), "batched, device-resident caches");
        }
    }

    @Test
    void aBadValueIsNamedWithItsKey() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> NemotronEngine.open(options("fp32", "gpu")));
        assertTrue(e.getMessage().contains("asr.engine.nemotron.device-state"), e.getMessage());
    }

    @Test
    void autoKeepsTheHostPathOnTheCpu() {
        try (NemotronEngine e = NemotronEngine.open(options("fp32", "auto"))) {
            assertTrue(!e.model(Acceleration.FULL).stateOnDevice());
        }
    }

    private static ChunkModel load(String state, int maxBatch) {
        Path dir = TestModels.tiny(TestModelVariant.ML);
        ModelDirectory.Export ex = ModelDirectory.scan(dir, List.of()).get(560);
        OrtSessionFactory sessions = new OrtSessionFactory(OrtEnvironment.getEnvironment(), EngineConfig.builder()
                .intraOpThreads(1).extra("nemotron.device-state", state).build());
        return ChunkModel.load(ex, ex.contract().vocabSize() + 1, sessions, 1, maxBatch,
                NemotronConfig.Int8Batching.EXACT, false, new EngineStats());
    }

    /** Random windows through three chunks of a batch of three: outputs and every cache bit for bit as on the host path. */
    @Test
    void cachesOnTheDeviceAreTheHostPathsBitForBit() throws Exception {
        int n = 3;
        try (ChunkModel host = load("host", n); ChunkModel device = load("device", n)) {
            EncoderContract c = host.contract;
            List<StreamCaches> hostRows = new ArrayList<>();
            List<StreamCaches> deviceRows = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                hostRows.add(new StreamCaches(c));
                deviceRows.add(new StreamCaches(c));
                hostRows.get(i).reset(host);
                deviceRows.get(i).reset(device);
            }
            Workspace hw = host.workspace(0);
            Workspace dw = device.workspace(0);
            Random r = new Random(5);
            int window = c.featDim() * c.windowSize();
            for (int chunk = 0; chunk < 3; chunk++) {
                for (int i = 0; i < n * window; i++) {
                    float x = (float) r.nextGaussian();
                    hw.audio.put(i, x);
                    dw.audio.put(i, x);
                }
                encode(host, hw, hostRows);
                encode(device, dw, deviceRows);
                int out = c.dModel() * c.outFrames();
                assertArrayEquals(floats(hw.encoded, n * out), floats(dw.encoded, n * out), "outputs, chunk " + chunk);
                for (int i = 0; i < n; i++) {
                    StreamCaches h = hostRows.get(i);
                    StreamCaches d = deviceRows.get(i);
                    assertEquals(h.channelLen, d.channelLen);
                    FloatBuffer channel = Workspace.floats(h.channel.capacity());
                    FloatBuffer time = Workspace.floats(h.time.capacity());
                    d.device.channel.readHostFloats(channel);
                    d.device.time.readHostFloats(time);
                    assertArrayEquals(floats(h.channel, h.channel.capacity()), floats(channel, channel.capacity()), "channel cache " + i);
                    assertArrayEquals(floats(h.time, h.time.capacity()), floats(time, time.capacity()), "time cache " + i);
                }
                if (chunk == 1) {
                    // an endpoint on row 1: the next chunk starts from zero caches on both paths
                    hostRows.get(1).reset(host);
                    deviceRows.get(1).reset(device);
                }
            }
            assertTrue(device.deviceEncoder().openTensors() > 0);
        }
        assertEquals(0, org.streamasr.engine.ort.DeviceTensor.openInProcess(), "closing the model closed every device tensor");
    }

    private static void encode(ChunkModel m, Workspace w, List<StreamCaches> rows) throws Exception {
        EncoderContract c = m.contract;
        int n = rows.size();
        for (int i = 0; i < n; i++) {
            StreamCaches s = rows.get(i);
            w.length.put(i, c.windowSize());
            w.channelLenIn.put(i, s.channelLen);
            w.prompt.put(i, 101);
        }
        if (m.stateOnDevice()) {
            m.runEncoderOnDevice(w, rows);
        } else {
            for (int i = 0; i < n; i++) {
                StreamCaches s = rows.get(i);
                s.channelAxis.stack(s.channel, w.channelIn, i, n);
                s.timeAxis.stack(s.time, w.timeIn, i, n);
            }
            m.runEncoder(w, n);
            for (int i = 0; i < n; i++) {
                StreamCaches s = rows.get(i);
                s.channelAxis.unstack(w.channelOut, i, n, s.channel);
                s.timeAxis.unstack(w.timeOut, i, n, s.time);
            }
        }
        for (int i = 0; i < n; i++) {
            rows.get(i).channelLen = w.channelLenOut.get(i);
            rows.get(i).dirty = true;
        }
    }

    private static float[] floats(FloatBuffer b, int n) {
        float[] a = new float[n];
        b.get(0, a);
        return a;
    }
}
