package org.streamasr.engine.vad;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streamasr.engine.EngineConfig;
import org.streamasr.engine.ModelContractException;
import org.streamasr.engine.RecognitionException;
import org.streamasr.media.wav.WavFile;
import org.streamasr.testing.LeakCheckExtension;
import org.streamasr.testing.RequiredTools;

/** Silero VAD v6 on real speech, silence and noise; batched runs equal single-stream runs bit for bit. */
class SileroVadModelTest {
    private static final Path LIBRIVOX = Path.of("/usr/share/pocketsphinx/test/data/librivox");
    private static final String[] CLIPS = {"0870", "0880", "0890", "0920", "0930"};
    private static final int PAD = 2 * SileroVadModel.SAMPLE_RATE;
    private static SileroVadModel model;

    @TempDir
    Path tmp;

    @BeforeAll
    static void load() {
        LeakCheckExtension.track("silero vad sessions", SileroVadModel::openSessions);
        model = SileroVadModel.load(VadModels.require());
    }

    @AfterAll
    static void close() {
        if (model != null) model.close();
    }

    @Test
    void findsTheSpeechInEachLibriVoxClipPaddedWithSilence() throws Exception {
        for (String id : CLIPS) {
            float[] clip = librivox(id);
            float[] padded = new float[PAD + clip.length + PAD];
            System.arraycopy(clip, 0, padded, PAD, clip.length);
            List<SpeechSegmenter.Event> events = segment(probabilities(padded, new Random(id.hashCode())), padded.length);
            // LibriVox segments are cut close around the utterance: speech should span the clip, give or take the
            // breath and room noise at its edges
            long clipStart = PAD, clipEnd = PAD + clip.length;
            System.out.printf("VAD %s: speech %d..%d ms, clip %d..%d ms, %d events%n", id, events.get(0).millis(),
                    events.get(events.size() - 1).millis(), clipStart / 16, clipEnd / 16, events.size());
            assertEquals(2, events.size(), id + ": one speech segment (short pauses are bridged): " + events);
            assertTrue(events.get(0).speechStart());
            long startOff = events.get(0).sample() - clipStart, endOff = events.get(1).sample() - clipEnd;
            assertTrue(startOff >= -1_600 && startOff <= 6_400, id + ": start " + startOff / 16 + " ms from the clip start");
            assertTrue(endOff >= -6_400 && endOff <= 4_800, id + ": end " + endOff / 16 + " ms from the clip end");
        }
    }

    @Test
    void twoUtterancesSeparatedBySilenceAreTwoSegments() throws Exception {
        float[] a = librivox("0880"), b = librivox("0930");
        float[] x = new float[a.length + 2 * PAD + b.length];
        System.arraycopy(a, 0, x, 0, a.length);
        System.arraycopy(b, 0, x, a.length + 2 * PAD, b.length);
        List<SpeechSegmenter.Event> events = segment(probabilities(x, null), x.length);
        assertEquals(4, events.size(), events.toString());
        long gapStart = a.length, gapEnd = a.length + 2L * PAD;
        assertTrue(events.get(1).sample() > gapStart - 8_000 && events.get(1).sample() < gapStart + 8_000, events.toString());
        assertTrue(events.get(2).sample() > gapEnd - 8_000 && events.get(2).sample() < gapEnd + 8_000, events.toString());
    }

    @Test
    void silenceAndNoiseGiveLowProbabilities() throws Exception {
        Random rnd = new Random(3);
        float[] noise = new float[5 * 16_000];
        for (int i = 0; i < noise.length; i++) noise[i] = (float) (0.1 * rnd.nextGaussian());
        float[] hum = new float[5 * 16_000];
        for (int i = 0; i < hum.length; i++) hum[i] = (float) (0.2 * Math.sin(2 * Math.PI * 50 * i / 16_000.0));
        for (var c : List.of(new Object[] {"silence", new float[5 * 16_000]}, new Object[] {"white noise", noise},
                new Object[] {"50 Hz hum", hum})) {
            float[] p = probabilities((float[]) c[1], null);
            double max = 0, mean = 0;
            for (float f : p) {
                max = Math.max(max, f);
                mean += f / p.length;
            }
            System.out.printf("VAD on %s: max %.4f, mean %.4f%n", c[0], max, mean);
            assertTrue(max < 0.2, c[0] + ": max probability " + max);
            assertTrue(segment(p, ((float[]) c[1]).length).isEmpty(), c[0] + " must not be speech");
        }
    }

    @Test
    void batchedEqualsSingleBitForBit() throws Exception {
        float[][] signals = {librivox("0880"), librivox("0930"), librivox("0870"), new float[40_000]};
        Random rnd = new Random(9);
        for (int i = 0; i < signals[3].length; i++) signals[3][i] = (float) (0.05 * rnd.nextGaussian());
        float[][] single = new float[signals.length][];
        for (int i = 0; i < signals.length; i++) single[i] = probabilities(signals[i], null);
        // all streams in one batch, fed in uneven pieces so batches change size as streams run dry
        List<VadStream> streams = new ArrayList<>();
        for (float[] s : signals) streams.add(model.newStream());
        int[] fed = new int[signals.length];
        List<List<Float>> got = new ArrayList<>();
        for (int i = 0; i < signals.length; i++) got.add(new ArrayList<>());
        int sizes = 0;
        boolean more = true;
        while (more) {
            more = false;
            for (int i = 0; i < signals.length; i++) {
                int n = Math.min(signals[i].length - fed[i], 300 + rnd.nextInt(2_000));
                if (n > 0) {
                    streams.get(i).accept(signals[i], fed[i], n);
                    fed[i] += n;
                    more = true;
                } else {
                    streams.get(i).finish();
                }
            }
            int batch;
            while ((batch = model.process(streams)) > 0) sizes |= 1 << batch;
            for (int i = 0; i < signals.length; i++) drainInto(streams.get(i), got.get(i));
        }
        assertTrue(Integer.bitCount(sizes) >= 3, "several batch sizes were exercised");
        for (int i = 0; i < signals.length; i++) {
            float[] batched = new float[got.get(i).size()];
            for (int k = 0; k < batched.length; k++) batched[k] = got.get(i).get(k);
            assertArrayEquals(single[i], batched, "stream " + i);
        }
    }

    @Test
    void cutPointsDoNotChangeProbabilities() throws Exception {
        float[] x = librivox("0880");
        assertArrayEquals(probabilities(x, null), probabilities(x, new Random(5)));
    }

    @Test
    void stackAndUnstackPlaceEachStreamInItsRow() {
        int batch = 3;
        float[] batchState = new float[2 * batch * SileroVadModel.HIDDEN];
        for (int row = 0; row < batch; row++) {
            float[] s = new float[2 * SileroVadModel.HIDDEN];
            for (int i = 0; i < s.length; i++) s[i] = row * 1000 + i;
            VadStream.stack(s, batchState, row, batch);
        }
        // [layer][batch][hidden]
        assertEquals(1000 * 1 + 128 + 5, batchState[(1 * batch + 1) * 128 + 5]);
        assertEquals(1000 * 2 + 7, batchState[(0 * batch + 2) * 128 + 7]);
        float[] back = new float[2 * SileroVadModel.HIDDEN];
        VadStream.unstack(batchState, 2, batch, back);
        for (int i = 0; i < back.length; i++) assertEquals(2000 + i, back[i]);
    }

    @Test
    void missingOrForeignModelFilesAreClearErrors() throws IOException {
        ModelContractException missing = assertThrows(ModelContractException.class,
                () -> SileroVadModel.load(tmp.resolve("nope.onnx")));
        assertTrue(missing.getMessage().contains("scripts/fetch-vad-model"), missing.getMessage());
        Path junk = Files.writeString(tmp.resolve("junk.onnx"), "not a model");
        ModelContractException bad = assertThrows(ModelContractException.class, () -> SileroVadModel.load(junk));
        assertTrue(bad.getMessage().contains("junk.onnx"), bad.getMessage());
        assertTrue(SileroVadModel.fromOptions(EngineConfig.builder().build()).isEmpty(), "no vad-model: VAD off");
        try (SileroVadModel m = SileroVadModel.fromOptions(EngineConfig.builder().vadModel(VadModels.require()).build()).orElseThrow()) {
            assertEquals(VadModels.require(), m.file());
        }
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    private static float[] librivox(String id) throws IOException {
        Path wav = LIBRIVOX.resolve("sense_and_sensibility_01_austen_64kb-" + id + ".wav");
        RequiredTools.file(wav, "pocketsphinx-testdata");
        return WavFile.toFloat(WavFile.read(wav).samples());
    }

    /** One stream over {@code x}, fed whole or in random pieces. */
    private static float[] probabilities(float[] x, Random cuts) throws RecognitionException {
        VadStream s = model.newStream();
        List<Float> out = new ArrayList<>();
        for (int at = 0; at < x.length; ) {
            int n = cuts == null ? x.length : Math.min(x.length - at, 1 + cuts.nextInt(3_000));
            s.accept(x, at, n);
            at += n;
            model.processAll(s);
            drainInto(s, out);
        }
        s.finish();
        model.processAll(s);
        drainInto(s, out);
        assertEquals((x.length + SileroVadModel.WINDOW - 1) / SileroVadModel.WINDOW, out.size());
        float[] p = new float[out.size()];
        for (int i = 0; i < p.length; i++) p[i] = out.get(i);
        return p;
    }

    private static void drainInto(VadStream s, List<Float> out) {
        float[] buf = new float[64];
        int n;
        while ((n = s.poll(buf, 0, buf.length)) > 0) for (int i = 0; i < n; i++) out.add(buf[i]);
    }

    private static List<SpeechSegmenter.Event> segment(float[] probabilities, long samples) {
        SpeechSegmenter seg = new SpeechSegmenter(0.5f, 0.35f, 250, 500, 30);
        List<SpeechSegmenter.Event> events = new ArrayList<>();
        for (float p : probabilities) {
            SpeechSegmenter.Event e = seg.update(p);
            if (e != null) events.add(e);
        }
        SpeechSegmenter.Event last = seg.finish(samples);
        if (last != null) events.add(last);
        return events;
    }
}
