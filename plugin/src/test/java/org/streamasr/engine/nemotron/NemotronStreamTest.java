package org.streamasr.engine.nemotron;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtEnvironment;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.streamasr.engine.EngineConfig;
import org.streamasr.runtime.AudioInbox;
import org.streamasr.tools.testmodel.TestModelVariant;

/**
 * A stream on its own, with no engine and no scheduler: it gets the shared {@link EngineContext} (on an injected
 * clock) and a recording {@link StreamOwner}, the only things it can reach.
 */
class NemotronStreamTest {
    private static final long MS = 1_000_000;

    /** What the stream asked of its owner, in order. */
    private static final class RecordingOwner implements StreamOwner {
        final List<String> calls = new ArrayList<>();

        @Override
        public boolean submit(NemotronStream s) {
            calls.add("submit");
            return true;
        }

        @Override
        public void expect(NemotronStream s, long atNanos) {
            calls.add("expect " + atNanos);
        }

        @Override
        public void forget(NemotronStream s) {
            calls.add("forget");
        }

        @Override
        public void release(NemotronStream s) {
            calls.add("release");
        }
    }

    @Test
    void aStreamAsksOnlyItsOwnerToQueueItAndTellsWhenItsNextChunkIsExpected() {
        // the longest chunk, so that two short pieces do not complete it
        ModelDirectory.Export export = new TreeMap<>(ModelDirectory.scan(TestModels.tiny(TestModelVariant.EN), List.of()))
                .lastEntry().getValue();
        EngineConfig options = EngineConfig.builder().intraOpThreads(1).build();
        OrtSessionFactory sessions = new OrtSessionFactory(OrtEnvironment.getEnvironment(), options);
        AtomicLong clock = new AtomicLong(1_000 * MS);
        List<String> drops = new ArrayList<>();
        EngineContext context = new EngineContext(NemotronConfig.from(options), null, false, new EngineStats(),
                clock::get, (run, skipped) -> { }, (where, e) -> { }, (reason, detail) -> drops.add(reason));
        RecordingOwner owner = new RecordingOwner();
        int vocabWidth = export.contract().vocabSize() + 1;
        try (ChunkModel model = ChunkModel.load(export, vocabWidth, sessions, 1, 1, NemotronConfig.Int8Batching.SHARED,
                false, context.stats())) {
            Transcript transcript = new Transcript(Vocabulary.read(export.tokens(), vocabWidth), "s", "en-US", false,
                    new Transcript.Rules(10, 16_000, 1_000, 30, model.contract.subsampling() * 10L));
            ResultDelivery delivery = new ResultDelivery(new Recorder(), Runnable::run, e -> { }, () -> { });
            int open = NemotronStream.openInProcess();
            NemotronStream s = new NemotronStream(context, owner, model, "s", 0, true, new AudioInbox(16_000 * 60),
                    delivery, new ChunkFeeder(model.contract, null), new StreamCaches(model.contract), transcript);
            assertEquals(open + 1, NemotronStream.openInProcess());
            long needs = s.samplesWanted();
            assertTrue(needs > 3_200, "the first chunk needs more than two pieces: " + needs);

            float[] piece = new float[1_600];
            assertTrue(s.accept(piece, 0, piece.length));
            assertEquals(List.of(), owner.calls, "one piece gives no rate yet: nothing to tell");
            clock.addAndGet(100 * MS);
            assertTrue(s.accept(piece, 0, piece.length));
            // 1,600 samples per 100 ms since the first piece: the rest of the chunk at that rate
            long expected = clock.get() + (needs - 3_200) * 100 * MS / 1_600;
            assertEquals(List.of("expect " + expected), owner.calls);

            float[] rest = new float[(int) (needs - 3_200)];
            clock.addAndGet(10 * MS);
            assertTrue(s.accept(rest, 0, rest.length));
            assertEquals(List.of("expect " + expected, "submit"), owner.calls, "a full chunk queues the stream");
            assertTrue(s.accept(piece, 0, piece.length));
            assertEquals(2, owner.calls.size(), "queued once: more audio neither queues it again nor expects");

            s.finish();
            assertFalse(s.accept(piece, 0, piece.length));
            assertEquals(List.of("after-finish"), drops, "audio after finish is counted through the context");
            s.close();
            assertEquals(List.of("expect " + expected, "submit", "forget"), owner.calls,
                    "closed while queued: the caches stay with the batch that holds the stream");
            s.afterBatch();
            assertEquals(List.of("expect " + expected, "submit", "forget", "release"), owner.calls,
                    "released once its batch is done");
            assertEquals(open, NemotronStream.openInProcess());
        }
    }
}
