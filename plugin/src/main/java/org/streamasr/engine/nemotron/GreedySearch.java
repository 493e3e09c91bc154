package org.streamasr.engine.nemotron;

import org.streamasr.engine.RecognitionException;

/**
 * RNN-T greedy search over one chunk, batched across streams (contract 4; sherpa-onnx after PR #3785, NeMo's
 * label-looping). Per stream and encoder frame: join the frame with the decoder output; where the best token is not
 * the blank, emit it, run the decoder on it (carrying the LSTM states) and try the same frame again, at most
 * {@code maxSymbols} times; the blank moves on to the next frame without running the decoder. Decoder output and
 * states carry across chunks.
 *
 * <p>The joiner is asked for all remaining frames of a stream at once: with the decoder output unchanged, frames up
 * to the next emission are decided by that one call. After an emission only the streams that emitted are joined
 * again, from the frame they stopped at. So a chunk costs one joiner call plus one joiner and one decoder call per
 * step in which some stream emitted, each covering every stream that needs it — not one joiner call per frame.
 * The outcome is the frame-by-frame search's exactly.
 */
final class GreedySearch {

    /** The joiner and decoder over rows of the batch. */
    interface Network {
        /**
         * Best token of row {@code rows[i]} at each encoder frame {@code from..frames-1}, joined with the row's current
         * decoder output, into {@code best[rows[i]][t]}.
         */
        void join(int[] rows, int n, int from, int[][] best) throws RecognitionException;

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
        int[][] best = new int[batch][frames];
        int[] frame = new int[batch];
        int[] symbols = new int[batch];
        int[] rows = new int[batch];
        int[] tokens = new int[batch];
        for (int i = 0; i < batch; i++) rows[i] = i;
        net.join(rows, batch, 0, best);
        while (true) {
            int m = 0;
            int from = frames;
            for (int r = 0; r < batch; r++) {
                int t = frame[r];
                while (t < frames && best[r][t] == blank) {
                    t++;
                    symbols[r] = 0;
                }
                frame[r] = t;
                if (t == frames) continue;
                sink.emit(r, best[r][t], t);
                rows[m] = r;
                tokens[m] = best[r][t];
                m++;
                if (++symbols[r] == maxSymbols) {
                    frame[r] = t + 1;
                    symbols[r] = 0;
                }
                from = Math.min(from, frame[r]);
            }
            if (m == 0) return;
            net.advance(rows, m, tokens);
            // rows that moved past the last frame need no new join
            int k = 0;
            for (int i = 0; i < m; i++) if (frame[rows[i]] < frames) rows[k++] = rows[i];
            if (k > 0) net.join(rows, k, from, best);
        }
    }
}
