package org.streamasr.server;

import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.streamasr.cluster.CallDirectory.Answer;
import org.streamasr.cluster.ClusterPlacement;
import org.streamasr.cluster.ClusterPlacement.NodeLoad;

/**
 * Where {@code POST /v1/calls} with {@code rtp} creates its call in a cluster: on the open node with the most free
 * capacity ({@link ClusterPlacement#candidates()}), here or by request to that node. A node that refuses (it filled
 * up since it last published) or does not answer passes the call to the next; when none is left the client gets 503.
 */
final class CallPlacement {
    private final ClusterPlacement nodes;
    private final String self;

    CallPlacement(ClusterPlacement nodes, String self) {
        this.nodes = nodes;
        this.self = self;
    }

    /**
     * @param body the request, for another node
     * @param here creates the call on this node
     */
    CompletableFuture<Answer> place(byte[] body, Supplier<Answer> here) {
        return next(nodes.candidates().iterator(), body, here, null);
    }

    private CompletableFuture<Answer> next(Iterator<NodeLoad> candidates, byte[] body, Supplier<Answer> here,
                                           Answer lastRefusal) {
        if (!candidates.hasNext()) {
            return CompletableFuture.completedFuture(lastRefusal != null ? lastRefusal : new Answer(503,
                    Map.of("error", Map.of("status", 503, "message", "every node is full or draining "
                            + "(asr.cluster.max-streams); try again later"))));
        }
        NodeLoad node = candidates.next();
        CompletableFuture<Answer> tried;
        if (node.node().equals(self)) {
            tried = CompletableFuture.completedFuture(here.get());
        } else {
            tried = nodes.createOn(node.node(), body).exceptionally(e -> new Answer(503, Map.of("error",
                    Map.of("status", 503, "message", "node " + node.node() + " did not answer: " + e.getMessage()))));
        }
        return tried.thenCompose(answer -> answer.status() == 503 ? next(candidates, body, here, answer)
                : CompletableFuture.completedFuture(answer));
    }
}
