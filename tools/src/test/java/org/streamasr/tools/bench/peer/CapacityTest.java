package org.streamasr.tools.bench.peer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.streamasr.tools.bench.peer.PeerBenchmark.Capacity;
import org.streamasr.tools.bench.peer.PeerBenchmark.Step;

/** How a capacity ladder's paced runs become the figure bench-peer --capacity reports, and its table row. */
class CapacityTest {

    @Test
    void capacityIsTheLargestCountThatKeptEveryStreamUpAndTheLadderSaysWhetherItFoundTheLimit() {
        Capacity found = new Capacity("streamasr", "int8", List.of(new Step(8, 8, 900, 10), new Step(10, 10, 1200, 13),
                new Step(12, 3, 4100, 16)));
        assertEquals(10, found.keptUp());
        assertTrue(found.exceeded());
        assertEquals("10", found.describe());

        Capacity ranOut = new Capacity("sherpa-onnx", "int8", List.of(new Step(8, 8, 900, 10), new Step(10, 10, 1000, 12)));
        assertEquals(10, ranOut.keptUp());
        assertFalse(ranOut.exceeded());
        assertEquals("at least 10", ranOut.describe());

        Capacity none = new Capacity("sherpa-onnx", "int8", List.of(new Step(8, 0, 5000, 9)));
        assertEquals(0, none.keptUp());
        assertTrue(none.exceeded());
    }

    @Test
    void theTableGivesBothCapacitiesTheirRatioWhereTheyLeftStreamsBehindAndTheCpuAtCapacity() {
        Capacity ours = new Capacity("streamasr", "int8", List.of(new Step(8, 8, 900, 16), new Step(12, 12, 1300, 24),
                new Step(14, 0, 3000, 30)));
        Capacity theirs = new Capacity("sherpa-onnx", "int8", List.of(new Step(8, 8, 1000, 24), new Step(12, 2, 2500, 40)));
        String table = PeerBenchmark.capacityTable(List.<Capacity[]>of(new Capacity[] {ours, theirs}));
        assertTrue(table.contains("| int8 | 12 / 8 (1.50) | 14 (0 kept up, 3000) / 12 (2 kept up, 2500) | 2.00 / 3.00 |"), table);

        Capacity oursRanOut = new Capacity("streamasr", "int8", List.of(new Step(8, 8, 900, 16)));
        String open = PeerBenchmark.capacityTable(List.<Capacity[]>of(new Capacity[] {oursRanOut, theirs}));
        assertTrue(open.contains("| int8 | at least 8 / 8 (at least 1.00) | none / 12 (2 kept up, 2500) |"), open);
    }

    @Test
    void theLadderArgumentListsTheCountsAndOtherModesHaveNone() {
        assertEquals(List.of(8, 10, 12), PeerBenchmark.parseLadder("ladder:8,10,12"));
        assertEquals(List.of(), PeerBenchmark.parseLadder("1"));
    }
}
