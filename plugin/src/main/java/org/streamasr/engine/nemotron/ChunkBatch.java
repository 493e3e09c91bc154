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
 * Runs outside any lock; results go to the streams' {@link ResultDelivery}.
 */
final class ChunkBatch implements GreedySearch.Network {
    private final NemotronEngine engine;
    private final ChunkModel model;
    private final Workspace w;
    private final List<NemotronStream> run = new ArrayList<>();
    private final EncoderContract c;

    private ChunkBatch(NemotronEngine engine, ChunkModel model, int worker) {
        this.engine = engine;
        this.model = model;
        this.w = model.workspace(worker);
        this.c = model.contract;
    }

    static void process(NemotronEngine engine, ChunkModel model, List<NemotronStream> streams, int worker) {
        new ChunkBatch(engine, model, worker).process(streams);
    }

    private void process(List<NemotronStream> streams) {
        try {
            List<NemotronStream> ready = new ArrayList<>(streams.size());
            for (NemotronStream s : streams) {
                if (s.isClosed() || s.completed()) continue;
                boolean ending = s.finishRequested();
                if (ending && !s.feeder.needsChunkAfterEnd(s.inbox.reachable(), engine.tailFrames())) {
                    complete(s);
                } else if (s.feeder.fill(s.inbox, ending, s.samplesWanted() - s.feeder.samplesForNextChunk())) {
                    ready.add(s);
                }
            }
            runVad(ready);
            List<NemotronStream> skipped = new ArrayList<>();
            for (NemotronStream s : ready) (skip(s) ? skipped : run).add(s);
            engine.countChunks(run.size(), skipped.size());
            if (!run.isEmpty()) {
                try {
                    encode();
                    GreedySearch.search(this, run.size(), c.outFrames(), model.blank, engine.maxSymbolsPerFrame(), this::emit);
                } catch (RecognitionException | RuntimeException e) {
                    RecognitionException failure = e instanceof RecognitionException re ? re
                            : new RecognitionException("recognition failed: " + e, e);
                    for (NemotronStream s : run) fail(s, failure);
                    run.clear();
                }
            }
            for (NemotronStream s : run) afterChunk(s);
            for (NemotronStream s : skipped) afterChunk(s);
        } finally {
            for (NemotronStream s : streams) s.afterBatch();
        }
    }

    private void runVad(List<NemotronStream> ready) {
        SileroVadModel vad = engine.vadModel();
        if (vad == null || ready.isEmpty()) return;
        List<VadStream> vads = new ArrayList<>(ready.size());
        for (NemotronStream s : ready) vads.add(s.feeder.vad());
        try {
            while (vad.process(vads) > 0) {
                // one window per stream per run
            }
        } catch (RecognitionException e) {
            engine.reportFailure("VAD", e);
        }
        for (NemotronStream s : ready) s.feeder.collectVad();
    }

    private boolean skip(NemotronStream s) {
        if (!engine.vadGating() || s.transcript.hasText()) return false;
        long from = s.feeder.chunkStartSample() - NemotronEngine.VAD_MARGIN_SAMPLES;
        long to = s.feeder.chunkEndSample() + NemotronEngine.VAD_MARGIN_SAMPLES;
        if (s.finishRequested()) to = Math.min(to, s.feeder.activity().evaluatedSamples());
        return s.feeder.activity().maxOver(from, to) < engine.vadSkipThreshold();
    }

    private void encode() throws RecognitionException {
        int n = run.size();
        for (int i = 0; i < n; i++) {
            NemotronStream s = run.get(i);
            s.feeder.windowInto(w.audio, i);
            w.length.put(i, c.windowSize());
            s.caches.channelAxis.stack(s.caches.channel, w.channelIn, i, n);
            s.caches.timeAxis.stack(s.caches.time, w.timeIn, i, n);
            w.channelLenIn.put(i, s.caches.channelLen);
            w.prompt.put(i, s.promptId);
        }
        model.runEncoder(w, n);
        for (int i = 0; i < n; i++) {
            NemotronStream s = run.get(i);
            s.caches.channelAxis.unstack(w.channelOut, i, n, s.caches.channel);
            s.caches.timeAxis.unstack(w.timeOut, i, n, s.caches.time);
            s.caches.channelLen = w.channelLenOut.get(i);
        }
    }

    @Override
    public void join(int[] rows, int n, int frame, int[] best) throws RecognitionException {
        int d = c.dModel();
        int f = c.outFrames();
        int h = c.predHidden();
        for (int i = 0; i < n; i++) {
            int base = rows[i] * d * f + frame;
            for (int k = 0; k < d; k++) w.joinEncoder.put(i * d + k, w.encoded.get(base + k * f));
            w.joinDecoder.put(i * h, run.get(rows[i]).caches.decoderOut, 0, h);
        }
        model.runJoiner(w, n);
        int v = model.vocabWidth;
        for (int i = 0; i < n; i++) {
            int at = i * v;
            int arg = 0;
            float max = w.logits.get(at);
            for (int k = 1; k < v; k++) {
                float x = w.logits.get(at + k);
                if (x > max) {
                    max = x;
                    arg = k;
                }
            }
            best[i] = arg;
        }
    }

    @Override
    public void advance(int[] rows, int n, int[] tokens) throws RecognitionException {
        int h = c.predHidden();
        for (int i = 0; i < n; i++) {
            StreamCaches sc = run.get(rows[i]).caches;
            w.targets.put(i, tokens[i]);
            w.targetLength.put(i, 1);
            sc.stateAxis.stack(sc.stateH, w.stateH, i, n);
            sc.stateAxis.stack(sc.stateC, w.stateC, i, n);
        }
        model.runDecoder(w, n);
        for (int i = 0; i < n; i++) {
            StreamCaches sc = run.get(rows[i]).caches;
            w.decoderOut.get(i * h, sc.decoderOut, 0, h);
            sc.stateAxis.unstack(w.stateHOut, i, n, sc.stateH);
            sc.stateAxis.unstack(w.stateCOut, i, n, sc.stateC);
        }
    }

    private void emit(int row, int token, int frame) {
        NemotronStream s = run.get(row);
        long streamFrame = s.framesDone + frame;
        s.transcript.add(token, streamFrame, engine.frameMillis(s, streamFrame, c));
    }

    private void afterChunk(NemotronStream s) {
        s.feeder.advance();
        s.framesDone += c.outFrames();
        long vadSilence = engine.vadModel() == null ? -1 : s.feeder.activity().silenceBefore(s.feeder.chunkStartSample());
        switch (s.transcript.afterChunk(s.framesDone, vadSilence, c.outFrames())) {
            case PARTIAL -> s.delivery.partial(s.transcript.pending());
            case FINAL -> {
                s.delivery.finalResult(s.transcript.pending());
                s.caches.reset(model);
            }
            case RESET -> s.caches.reset(model);
            default -> { }
        }
        if (s.finishRequested() && !s.feeder.needsChunkAfterEnd(s.inbox.reachable(), engine.tailFrames())) complete(s);
    }

    private void complete(NemotronStream s) {
        Utterance last = s.transcript.finish();
        if (last != null) s.delivery.finalResult(last);
        s.delivery.finished();
        s.markCompleted();
    }

    private void fail(NemotronStream s, RecognitionException e) {
        engine.reportFailure(s.label, e);
        s.delivery.error(e);
        s.delivery.finished();
        s.markCompleted();
    }
}
