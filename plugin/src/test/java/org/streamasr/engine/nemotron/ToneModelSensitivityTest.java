package org.streamasr.engine.nemotron;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import ai.onnxruntime.OrtEnvironment;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.streamasr.engine.EngineConfig;
import org.streamasr.engine.RecognitionException;
import org.streamasr.runtime.AudioInbox;
import org.streamasr.tools.testmodel.TestModelVariant;
import org.streamasr.tools.testmodel.ToneScript;

/**
 * The constructed model is a real check: the bugs an engine can have with caches and decoder state each change its
 * transcript. Two streams are decoded side by side (80 ms chunks, batched), once right and once with one fault.
 */
class ToneModelSensitivityTest {
    enum Fault {
        NONE,
        /** Encoder caches zeroed before every chunk (not carried). */
        LOST_ENCODER_CACHES,
        /** cache_last_channel_len not carried (always 0). */
        WRONG_CACHE_LENGTH,
        /** Stream A gets stream B's encoder caches back (a stacking mix-up). */
        MIXED_CACHES,
        /** Decoder state re-initialised (primed with the blank) at every chunk. */
        DROPPED_DECODER_STATE,
        /** The decoder re-run on the last emitted token at every chunk (sherpa-onnx before PR #3785). */
        REPRIMED_DECODER,
    }

    private static final ToneScript A = ToneScript.builder(TestModelVariant.EN)
            .say("en-US", "hello world. this is a test of streaming speech recognition.").build();
    private static final ToneScript B = ToneScript.builder(TestModelVariant.EN)
            .say("en-US", "good morning, world? this is a good test.").build();
    private static ChunkModel model;
    private static Vocabulary vocabulary;

    @BeforeAll
    static void load() {
        ModelDirectory.Export e = ModelDirectory.scan(TestModels.tiny(TestModelVariant.EN), "int8").get(80);
        vocabulary = Vocabulary.read(e.tokens(), e.contract().vocabSize() + 1);
        model = ChunkModel.load(e, vocabulary.size(), new OrtSessionFactory(OrtEnvironment.getEnvironment(),
                EngineConfig.builder().intraOpThreads(1).build()), 1, 2, NemotronConfig.Int8Batching.SHARED, false, new EngineStats());
    }

    @AfterAll
    static void close() {
        model.close();
    }

    private static final class Side {
        final ChunkFeeder feeder;
        final StreamCaches caches;
        final AudioInbox inbox;
        final List<Integer> tokens = new ArrayList<>();
        final long total;

        Side(float[] audio) {
            feeder = new ChunkFeeder(model.contract, null);
            caches = new StreamCaches(model.contract);
            caches.reset(model);
            inbox = new AudioInbox(audio.length);
            inbox.offer(audio, 0, audio.length);
            total = audio.length;
        }

        String text() {
            int[] ids = tokens.stream().mapToInt(Integer::intValue).toArray();
            return vocabulary.text(ids, ids.length);
        }
    }

    private static List<String> decode(Fault fault) throws RecognitionException {
        Side a = new Side(A.samples());
        Side b = new Side(B.samples());
        Workspace w = model.workspace(0);
        BatchedTransducer transducer = new BatchedTransducer(model, w, List.of(a.caches, b.caches));
        while (a.feeder.needsChunkAfterEnd(a.total, 40) || b.feeder.needsChunkAfterEnd(b.total, 40)) {
            for (Side s : List.of(a, b)) {
                s.feeder.fill(s.inbox, true, 0);
                switch (fault) {
                    case LOST_ENCODER_CACHES -> {
                        float[] keep = s.caches.decoderOut.clone();
                        float[] h = s.caches.stateH.clone();
                        float[] c = s.caches.stateC.clone();
                        s.caches.reset(model);
                        System.arraycopy(keep, 0, s.caches.decoderOut, 0, keep.length);
                        System.arraycopy(h, 0, s.caches.stateH, 0, h.length);
                        System.arraycopy(c, 0, s.caches.stateC, 0, c.length);
                    }
                    case WRONG_CACHE_LENGTH -> s.caches.channelLen = 0;
                    case DROPPED_DECODER_STATE -> model.primeDecoder(s.caches.decoderOut, s.caches.stateH, s.caches.stateC);
                    default -> { }
                }
            }
            if (fault == Fault.REPRIMED_DECODER) {
                for (int row = 0; row < 2; row++) {
                    Side s = row == 0 ? a : b;
                    if (!s.tokens.isEmpty()) transducer.advance(new int[] {row}, 1, new int[] {s.tokens.get(s.tokens.size() - 1)});
                }
            }
            transducer.encode(List.of(a.feeder, b.feeder), new long[] {0, 0});
            if (fault == Fault.MIXED_CACHES) {
                FloatBufferSwap.swap(a.caches.channel, b.caches.channel);
                FloatBufferSwap.swap(a.caches.time, b.caches.time);
            }
            transducer.search(10, (row, token, frame) -> (row == 0 ? a : b).tokens.add(token));
            a.feeder.advance();
            b.feeder.advance();
        }
        return List.of(a.text(), b.text());
    }

    /** Exchanges the contents of two equal-sized buffers. */
    private static final class FloatBufferSwap {
        static void swap(java.nio.FloatBuffer x, java.nio.FloatBuffer y) {
            for (int i = 0; i < x.capacity(); i++) {
                float t = x.get(i);
                x.put(i, y.get(i));
                y.put(i, t);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Fault.class)
    void everyStateBugChangesTheTranscript(Fault fault) throws RecognitionException {
        List<String> right = List.of(A.expectedTexts("en-US").get(0), B.expectedTexts("en-US").get(0));
        List<String> got = decode(fault);
        if (fault == Fault.NONE) {
            assertEquals(right, got);
        } else {
            assertNotEquals(right.get(0), got.get(0), fault + " must show in stream A: " + got.get(0));
        }
        System.out.println(fault + ": " + got.get(0).substring(0, Math.min(80, got.get(0).length())));
    }
}
