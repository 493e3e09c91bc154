package org.streamasr.engine.nemotron;

import java.util.List;
import org.streamasr.engine.RecognitionException;

/**
 * The model runs of one batch on a worker's {@link Workspace}: the encoder over stacked windows and caches, and the
 * joiner and decoder over the rows that {@link GreedySearch} asks for. Row {@code i} is stream {@code caches.get(i)}.
 */
final class BatchedTransducer implements GreedySearch.Network {
    private final ChunkModel model;
    private final Workspace w;
    private final EncoderContract c;
    private final List<StreamCaches> rows;
    private long ortNanos;

    BatchedTransducer(ChunkModel model, Workspace w, List<StreamCaches> rows) {
        this.model = model;
        this.w = w;
        this.c = model.contract;
        this.rows = rows;
    }

    /** Stacks each row's window and caches, runs the encoder once, unstacks the caches; outputs stay in the workspace. */
    void encode(List<ChunkFeeder> windows, long[] prompts) throws RecognitionException {
        long t0 = System.nanoTime();
        long ort;
        int n = rows.size();
        if (model.stateOnDevice()) {
            encodeOnDevice(windows, prompts, t0);
            return;
        }
        for (int i = 0; i < n; i++) {
            StreamCaches s = rows.get(i);
            windows.get(i).windowInto(w.audio, i);
            w.length.put(i, c.windowSize());
            s.channelAxis.stack(s.channel, w.channelIn, i, n);
            s.timeAxis.stack(s.time, w.timeIn, i, n);
            w.channelLenIn.put(i, s.channelLen);
            w.prompt.put(i, prompts[i]);
        }
        ort = model.runEncoder(w, n);
        for (int i = 0; i < n; i++) {
            StreamCaches s = rows.get(i);
            s.channelAxis.unstack(w.channelOut, i, n, s.channel);
            s.timeAxis.unstack(w.timeOut, i, n, s.time);
            s.channelLen = w.channelLenOut.get(i);
            s.dirty = true;
        }
        model.stats.add(EngineStats.Stage.ENCODER_HOST, System.nanoTime() - t0 - ort);
    }

    /** {@link #encode} with the caches resident on the execution device: only windows and lengths are stacked here. */
    private void encodeOnDevice(List<ChunkFeeder> windows, long[] prompts, long t0) throws RecognitionException {
        int n = rows.size();
        for (int i = 0; i < n; i++) {
            windows.get(i).windowInto(w.audio, i);
            w.length.put(i, c.windowSize());
            w.channelLenIn.put(i, rows.get(i).channelLen);
            w.prompt.put(i, prompts[i]);
        }
        long ort = model.runEncoderOnDevice(w, rows);
        for (int i = 0; i < n; i++) {
            StreamCaches s = rows.get(i);
            s.channelLen = w.channelLenOut.get(i);
            s.dirty = true;
        }
        model.stats.add(EngineStats.Stage.ENCODER_HOST, System.nanoTime() - t0 - ort);
    }

    /** Runs the greedy search over the encoder outputs of the last {@link #encode}. */
    void search(int maxSymbols, GreedySearch.Sink sink) throws RecognitionException {
        long t0 = System.nanoTime();
        ortNanos = 0;
        GreedySearch.search(this, rows.size(), c.outFrames(), model.blank, maxSymbols, sink);
        model.stats.add(EngineStats.Stage.SEARCH_HOST, System.nanoTime() - t0 - ortNanos);
    }

    @Override
    public void join(int[] rowIndex, int n, int from, int[][] best) throws RecognitionException {
        int d = c.dModel();
        int f = c.outFrames();
        int frames = f - from;
        int h = c.predHidden();
        for (int i = 0; i < n; i++) {
            int src = rowIndex[i] * d * f + from;
            int dst = i * d * frames;
            for (int k = 0; k < d; k++) w.joinEncoder.put(dst + k * frames, w.encoded, src + k * f, frames);
            w.joinDecoder.put(i * h, rows.get(rowIndex[i]).decoderOut, 0, h);
        }
        ortNanos += model.runJoiner(w, n, frames);
        int v = model.vocabWidth;
        for (int i = 0; i < n; i++) {
            int[] row = best[rowIndex[i]];
            for (int t = 0; t < frames; t++) row[from + t] = argmax(w.logits, (i * frames + t) * v, v);
        }
    }

    private static int argmax(java.nio.FloatBuffer logits, int at, int v) {
        int arg = 0;
        float max = logits.get(at);
        for (int k = 1; k < v; k++) {
            float x = logits.get(at + k);
            if (x > max) {
                max = x;
                arg = k;
            }
        }
        return arg;
    }

    @Override
    public void advance(int[] rowIndex, int n, int[] tokens) throws RecognitionException {
        int h = c.predHidden();
        if (model.decoderOnDevice()) {
            List<StreamCaches> advancing = new java.util.ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                advancing.add(rows.get(rowIndex[i]));
                w.targets.put(i, tokens[i]);
                w.targetLength.put(i, 1);
            }
            ortNanos += model.runDecoderOnDevice(w, advancing);
            for (int i = 0; i < n; i++) {
                w.decoderOut.get(i * h, advancing.get(i).decoderOut, 0, h);
                advancing.get(i).dirty = true;
            }
            return;
        }
        for (int i = 0; i < n; i++) {
            StreamCaches s = rows.get(rowIndex[i]);
            w.targets.put(i, tokens[i]);
            w.targetLength.put(i, 1);
            s.stateAxis.stack(s.stateH, w.stateH, i, n);
            s.stateAxis.stack(s.stateC, w.stateC, i, n);
        }
        ortNanos += model.runDecoder(w, n);
        for (int i = 0; i < n; i++) {
            StreamCaches s = rows.get(rowIndex[i]);
            w.decoderOut.get(i * h, s.decoderOut, 0, h);
            s.stateAxis.unstack(w.stateHOut, i, n, s.stateH);
            s.stateAxis.unstack(w.stateCOut, i, n, s.stateC);
            s.dirty = true;
        }
    }
}
