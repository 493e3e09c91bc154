package org.streamasr.engine.nemotron;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The search loop's rules with a scripted network: at most {@code maxSymbols} per frame, the blank moves on, the
 * decoder runs only on emitted tokens, and the result equals the plain frame-by-frame search.
 */
class GreedySearchTest {
    private static final int BLANK = 99;

    /**
     * Row r wants to emit {@code plan[r][t]} tokens at frame t; its k-th token there has id k. The "decoder state" is
     * (frame of the last emission, tokens emitted there), so the joiner's answer depends on what the decoder was fed.
     */
    private static final class Scripted implements GreedySearch.Network {
        final int[][] plan;
        final int[] lastFrame;
        final int[] count;
        final List<String> calls = new ArrayList<>();
        int decoded;

        Scripted(int[][] plan) {
            this.plan = plan;
            this.lastFrame = new int[plan.length];
            this.count = new int[plan.length];
            java.util.Arrays.fill(lastFrame, -1);
        }

        int decide(int r, int t) {
            int emitted = lastFrame[r] == t ? count[r] : 0;
            return emitted < plan[r][t] ? emitted : BLANK;
        }

        @Override
        public void join(int[] rows, int n, int from, int[][] best) {
            calls.add("join " + n + " from " + from);
            for (int i = 0; i < n; i++) {
                for (int t = from; t < plan[rows[i]].length; t++) best[rows[i]][t] = decide(rows[i], t);
            }
        }

        @Override
        public void advance(int[] rows, int n, int[] tokens) {
            calls.add("decode " + n);
            decoded += n;
            for (int i = 0; i < n; i++) feed(rows[i], tokens[i]);
        }

        /** The decoder saw {@code token} of row r: the k-th token of a frame names that frame by the plan. */
        private void feed(int r, int token) {
            // the row's current frame: the earliest frame whose plan still expects this token
            for (int t = 0; t < plan[r].length; t++) {
                int emitted = lastFrame[r] == t ? count[r] : 0;
                if (t >= Math.max(0, lastFrame[r]) && emitted == token && emitted < plan[r][t]) {
                    count[r] = lastFrame[r] == t ? count[r] + 1 : 1;
                    lastFrame[r] = t;
                    return;
                }
            }
            throw new AssertionError("row " + r + " fed token " + token + " it never wanted");
        }
    }

    /** The plain search, one joiner call per row and frame: the reference. */
    private static List<List<String>> reference(int[][] plan, int maxSymbols) {
        List<List<String>> out = new ArrayList<>();
        for (int[] row : plan) {
            List<String> tokens = new ArrayList<>();
            for (int t = 0; t < row.length; t++) {
                for (int k = 0; k < Math.min(row[t], maxSymbols); k++) tokens.add(k + "@" + t);
            }
            out.add(tokens);
        }
        return out;
    }

    private static List<List<String>> run(Scripted net, int maxSymbols) throws Exception {
        int rows = net.plan.length;
        List<List<String>> out = new ArrayList<>();
        for (int i = 0; i < rows; i++) out.add(new ArrayList<>());
        GreedySearch.search(net, rows, net.plan[0].length, BLANK, maxSymbols, (row, token, frame) -> out.get(row).add(token + "@" + frame));
        return out;
    }

    @Test
    void emitsUpToMaxSymbolsPerFrameAndJoinsOnlyTheRowsThatEmitted() throws Exception {
        int[][] plan = {{0, 2, 0}, {1, 0, 15}};
        Scripted net = new Scripted(plan);
        List<List<String>> out = run(net, 10);
        assertEquals(reference(plan, 10), out, "row 1 stops at 10 symbols in frame 2, though the joiner wanted 15");
        assertEquals(13, net.decoded, "the decoder ran once per emitted token");
        List<String> calls = new ArrayList<>(List.of("join 2 from 0", "decode 2", "join 2 from 0", "decode 2", "join 2 from 1",
                "decode 1", "join 1 from 2"));
        for (int k = 2; k < 9; k++) calls.addAll(List.of("decode 1", "join 1 from 2"));
        calls.add("decode 1");
        assertEquals(calls, net.calls);
    }

    @Test
    void aChunkOfBlanksCostsOneJoinerCall() throws Exception {
        Scripted net = new Scripted(new int[][] {{0, 0, 0, 0, 0, 0, 0}, {0, 0, 0, 0, 0, 0, 0}, {0, 0, 0, 0, 0, 0, 0}});
        run(net, 10);
        assertEquals(List.of("join 3 from 0"), net.calls);
    }

    @Test
    void equalsTheFrameByFrameSearchOnRandomPlans() throws Exception {
        Random random = new Random(11);
        for (int trial = 0; trial < 200; trial++) {
            int rows = 1 + random.nextInt(6);
            int frames = 1 + random.nextInt(14);
            int[][] plan = new int[rows][frames];
            for (int[] row : plan) for (int t = 0; t < frames; t++) row[t] = random.nextInt(4) == 0 ? random.nextInt(13) : 0;
            int maxSymbols = 1 + random.nextInt(10);
            Scripted net = new Scripted(plan);
            assertEquals(reference(plan, maxSymbols), run(net, maxSymbols), "trial " + trial);
            assertTrue(net.calls.size() <= 1 + 2 * net.decoded, "one join plus one per step that emitted");
        }
    }
}
