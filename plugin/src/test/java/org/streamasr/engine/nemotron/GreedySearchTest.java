package org.streamasr.engine.nemotron;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The search loop's rules with a scripted joiner: symbols per frame, blank moves on, decoder runs only on emissions. */
class GreedySearchTest {
    private static final int BLANK = 99;

    /**
     * Row r wants to emit {@code plan[r][t]} tokens at frame t; its k-th token in a frame has id k. The "decoder"
     * counts what it was fed, so a token is only emitted again after the decoder has seen the previous one.
     */
    private static final class Scripted implements GreedySearch.Network {
        final int[][] plan;
        final int[] count;
        final int[] countFrame;
        final List<String> calls = new ArrayList<>();

        Scripted(int[][] plan) {
            this.plan = plan;
            this.count = new int[plan.length];
            this.countFrame = new int[plan.length];
            java.util.Arrays.fill(countFrame, -1);
        }

        @Override
        public void join(int[] rows, int n, int frame, int[] best) {
            calls.add("join " + n);
            for (int i = 0; i < n; i++) {
                int r = rows[i];
                if (countFrame[r] != frame) {
                    countFrame[r] = frame;
                    count[r] = 0;
                }
                best[i] = count[r] < plan[r][frame] ? count[r] : BLANK;
            }
        }

        @Override
        public void advance(int[] rows, int n, int[] tokens) {
            calls.add("decode " + n);
            for (int i = 0; i < n; i++) {
                assertEquals(count[rows[i]], tokens[i], "the decoder gets the token just emitted");
                count[rows[i]]++;
            }
        }
    }

    @Test
    void emitsUpToMaxSymbolsPerFrameAndBatchesTheRowsThatNeedIt() throws Exception {
        int[][] plan = {{0, 2, 0}, {1, 0, 15}};
        Scripted net = new Scripted(plan);
        List<String> out = new ArrayList<>();
        GreedySearch.search(net, 2, 3, BLANK, 10, (row, token, frame) -> out.add(row + ":" + token + "@" + frame));
        List<String> expected = new ArrayList<>(List.of("1:0@0", "0:0@1", "0:1@1"));
        for (int k = 0; k < 10; k++) expected.add("1:" + k + "@2");
        assertEquals(expected, out, "at most 10 symbols in frame 2, though the joiner wanted 15");
        List<String> calls = new ArrayList<>(List.of(
                "join 2", "decode 1", "join 1",                          // frame 0: row 1 emits once
                "join 2", "decode 1", "join 1", "decode 1", "join 1"));  // frame 1: row 0 emits twice
        calls.addAll(List.of("join 2", "decode 1"));                     // frame 2: row 1, ten times
        for (int k = 1; k < 10; k++) calls.addAll(List.of("join 1", "decode 1"));
        assertEquals(calls, net.calls);
    }

    @Test
    void rowsThatEmitTogetherShareDecoderAndJoinerRuns() throws Exception {
        int[][] plan = {{1}, {1}, {0}, {2}};
        Scripted net = new Scripted(plan);
        List<String> out = new ArrayList<>();
        GreedySearch.search(net, 4, 1, BLANK, 10, (row, token, frame) -> out.add(row + ":" + token));
        assertEquals(List.of("0:0", "1:0", "3:0", "3:1"), out);
        assertEquals(List.of("join 4", "decode 3", "join 3", "decode 1", "join 1"), net.calls);
    }
}
