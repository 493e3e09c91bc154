package org.streamasr.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.streamasr.cluster.ClusterPlacement.NodeLoad;

/** The order placement tries nodes in: most free streams first, full and draining nodes never. */
class ClusterPlacementRankTest {

    private static List<String> names(List<NodeLoad> ranked) {
        return ranked.stream().map(NodeLoad::node).toList();
    }

    @Test
    void theNodeWithTheMostFreeStreamsComesFirstAndFullOrDrainingNodesNot() {
        List<NodeLoad> nodes = List.of(
                new NodeLoad("a", 2, 0, true, "10.0.0.1"),      // 2 free
                new NodeLoad("b", 4, 2, true, "10.0.0.2"),      // 2 free
                new NodeLoad("c", 3, 0, true, "10.0.0.3"),      // 3 free
                new NodeLoad("d", 5, 5, true, "10.0.0.4"),      // full
                new NodeLoad("e", 9, 0, false, "10.0.0.5"));    // draining
        assertEquals(List.of("c", "b", "a"), names(ClusterPlacement.rank(nodes, "b")), "on a tie the local node first");
        assertEquals(List.of("c", "a", "b"), names(ClusterPlacement.rank(nodes, "x")), "then by id");
    }

    @Test
    void nodesWithoutALimitRankByTheirLoadAndAheadOfLimitedOnes() {
        List<NodeLoad> nodes = List.of(new NodeLoad("a", 0, 7, true, "h"), new NodeLoad("b", 0, 3, true, "h"),
                new NodeLoad("c", 100, 0, true, "h"));
        assertEquals(List.of("b", "a", "c"), names(ClusterPlacement.rank(nodes, "a")));
    }

    @Test
    void everyNodeFullLeavesNoCandidate() {
        assertEquals(List.of(), ClusterPlacement.rank(List.of(new NodeLoad("a", 1, 1, true, "h"),
                new NodeLoad("b", 2, 3, true, "h")), "a"));
    }
}
