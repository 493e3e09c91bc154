package org.streamasr.engine.nemotron;

import java.util.ArrayList;
import java.util.List;
import org.streamasr.engine.RecognitionException;
import org.streamasr.engine.Utterance;
import org.streamasr.engine.vad.SileroVadModel;
import org.streamasr.engine.vad.VadStream;

/**
 * One batch on one inference worker: the next chunk of each stream, all of the same chunk model.
 * <ol>
 *   <li>features: each stream's mel window from its inbox;</li>
 *   <li>VAD: the new 32 ms windows of every stream, batched;</li>
 *   <li>skip: a stream with no open utterance whose chunk the VAD calls silent (with margins) is not run; its
 *       caches and decoder state stay as they are and its frames count as blanks;</li>
 *   <li>encoder: windows and caches stacked into the worker's buffers, one run, caches unstacked;</li>
 *   <li>greedy search, batched ({@link GreedySearch});</li>
 *   <li>per stream: partial, endpoint (final + reset), end of audio.</li>
 * </ol>
 * Runs outside any lock; results go to the streams' {@link ResultDelivery}. Takes the engine's shared
 * {@link EngineContext} and the streams as arguments; it holds no reference to the engine.
 */
final class ChunkBatch {
    private final EngineContext context;
    private final ChunkModel model;
    private final Workspace w;
    private final List<NemotronStream> run = new ArrayList<>();
    private final EncoderContract c;

    private ChunkBatch(EngineContext context, ChunkModel model, int worker) {
        this.context = context;
        this.model = model;
        this.w = model.workspace(worker);
        this.c = model.contract;
    }

    static void process(EngineContext context, ChunkModel model, List<NemotronStream> streams, int worker) {
        new ChunkBatch(context, model, worker).process(streams);
    }

    private void process(List<NemotronStream> streams) {
        long start = context.now();
        try {
            List<NemotronStream> ready = new ArrayList<>(streams.size());
            for (NemotronStream s : streams) {
                if (s.isClosed() || s.completed()) continue;
                boolean ending = s.finishRequested();
                if (ending && !s.feeder.needsChunkAfterEnd(s.inbox.reachable(), context.tailFrames())) {
                    complete(s);
                } else if (s.feeder.fill(s.inbox, ending, s.samplesWanted() - s.feeder.samplesForNextChunk())) {
                    ready.add(s);
                }
            }
            long featured = context.now();
            context.stats().add(EngineStats.Stage.FEATURES, featured - start);
            runVad(ready);
            context.stats().add(EngineStats.Stage.VAD, context.now() - featured);
            List<NemotronStream> skipped = new ArrayList<>();
            for (NemotronStream s : ready) (skip(s) ? skipped : run).add(s);
            context.chunks().count(run.size(), skipped.size());
            if (!run.isEmpty()) {
                try {
                    List<StreamCaches> caches = new ArrayList<>(run.size());
                    List<ChunkFeeder> windows = new ArrayList<>(run.size());
                    long[] prompts = new long[run.size()];
                    for (int i = 0; i < run.size(); i++) {
                        caches.add(run.get(i).caches);
                        windows.add(run.get(i).feeder);
                        prompts[i] = run.get(i).promptId;
                    }
                    BatchedTransducer transducer = new BatchedTransducer(model, w, caches);
                    transducer.encode(windows, prompts);
                    transducer.search(context.maxSymbolsPerFrame(), this::emit);
                } catch (RecognitionException | RuntimeException e) {
                    RecognitionException failure = e instanceof RecognitionException re ? re
                            : new RecognitionException("recognition failed: " + e, e);
                    for (NemotronStream s : run) fail(s, failure);
                    run.clear();
                }
            }
            long results = context.now();
            for (NemotronStream s : run) afterChunk(s);
            for (NemotronStream s : skipped) afterChunk(s);
            context.stats().add(EngineStats.Stage.RESULTS, context.now() - results);
        } finally {
            for (NemotronStream s : streams) s.afterBatch();
            for (NemotronStream s : streams) s.maybeSchedule();
            context.stats().add(EngineStats.Stage.BATCH, context.now() - start);
        }
    }

    private void runVad(List<NemotronStream> ready) {
        SileroVadModel vad = context.vad();
        if (vad == null || ready.isEmpty()) return;
        List<VadStream> vads = new ArrayList<>(ready.size());
        for (NemotronStream s : ready) vads.add(s.feeder.vad());
        try {
            while (vad.process(vads) > 0) {
                // one window per stream per run
            }
        } catch (RecognitionException e) {
            context.failures().failed("VAD", e);
        }
        for (NemotronStream s : ready) s.feeder.collectVad();
    }

    private boolean skip(NemotronStream s) {
        if (!context.vadGating() || s.transcript.hasText()) return false;
        long from = s.feeder.chunkStartSample() - EngineContext.VAD_MARGIN_SAMPLES;
        long to = s.feeder.chunkEndSample() + EngineContext.VAD_MARGIN_SAMPLES;
        if (s.finishRequested()) to = Math.min(to, s.feeder.activity().evaluatedSamples());
        return s.feeder.activity().maxOver(from, to) < context.vadSkipThreshold();
    }

    private void emit(int row, int token, int frame) {
        NemotronStream s = run.get(row);
        long streamFrame = s.framesDone + frame;
        s.transcript.add(token, streamFrame, s.frameMillis(streamFrame));
    }

    private void afterChunk(NemotronStream s) {
        s.feeder.advance();
        s.framesDone += c.outFrames();
        long vadSilence = context.vad() == null ? -1 : s.feeder.activity().silenceBefore(s.feeder.chunkStartSample());
        boolean deliver = !s.isClosed();
        switch (s.transcript.afterChunk(s.framesDone, vadSilence, c.outFrames())) {
            case PARTIAL -> {
                if (deliver) s.delivery.partial(s.transcript.pending());
            }
            case FINAL -> {
                if (deliver) s.delivery.finalResult(s.transcript.pending());
                s.caches.reset(model);
            }
            case RESET -> s.caches.reset(model);
            default -> { }
        }
        if (s.finishRequested() && !s.feeder.needsChunkAfterEnd(s.inbox.reachable(), context.tailFrames())) complete(s);
    }

    private void complete(NemotronStream s) {
        Utterance last = s.transcript.finish();
        if (last != null) s.delivery.finalResult(last);
        s.delivery.finished();
        s.markCompleted();
    }

    private void fail(NemotronStream s, RecognitionException e) {
        context.failures().failed(s.label, e);
        s.delivery.error(e);
        s.delivery.finished();
        s.markCompleted();
    }
}
