package org.streamasr.engine.nemotron;

import org.streamasr.engine.RecognitionException;

/**
 * RNN-T greedy search over one chunk, batched across streams (contract 4; sherpa-onnx after PR #3785, NeMo's
 * label-looping): for each encoder frame, join it with each stream's decoder output; where the best token is not the
 * blank, emit it, run the decoder on it (carrying the LSTM states) and try the same frame again, at most
 * {@code maxSymbols} times; the blank moves on to the next frame without running the decoder. The decoder output and
 * states carry across chunks. Every joiner and decoder call covers all the streams that need it at that step.
 */
final class GreedySearch {

    /** The joiner and decoder over rows of the batch. */
    interface Network {
        /** Best token of row {@code rows[i]} at encoder frame {@code frame}, into {@code best[i]}. */
        void join(int[] rows, int n, int frame, int[] best) throws RecognitionException;

        /** Runs the decoder for rows {@code rows[i]} on tokens {@code tokens[i]}, updating their outputs and states. */
        void advance(int[] rows, int n, int[] tokens) throws RecognitionException;
    }

    /** Receives the emitted tokens, in order per row. */
    interface Sink {
        void emit(int row, int token, int frame);
    }

    private GreedySearch() {
    }

    static void search(Network net, int batch, int frames, int blank, int maxSymbols, Sink sink) throws RecognitionException {
        int[] rows = new int[batch];
        int[] best = new int[batch];
        int[] emitRows = new int[batch];
        int[] emitTokens = new int[batch];
        int[] symbols = new int[batch];
        for (int t = 0; t < frames; t++) {
            int n = batch;
            for (int i = 0; i < batch; i++) {
                rows[i] = i;
                symbols[i] = 0;
            }
            while (n > 0) {
                net.join(rows, n, t, best);
                int m = 0;
                for (int i = 0; i < n; i++) {
                    if (best[i] == blank) continue;
                    sink.emit(rows[i], best[i], t);
                    symbols[rows[i]]++;
                    emitRows[m] = rows[i];
                    emitTokens[m] = best[i];
                    m++;
                }
                if (m == 0) break;
                net.advance(emitRows, m, emitTokens);
                n = 0;
                for (int i = 0; i < m; i++) if (symbols[emitRows[i]] < maxSymbols) rows[n++] = emitRows[i];
            }
        }
    }
}
