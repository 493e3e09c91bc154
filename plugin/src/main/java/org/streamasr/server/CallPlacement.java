package org.streamasr.server;

import java.time.Duration;
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
 * up since it last published) or cannot be reached passes the call to the next; when none is left the client gets
 * 503. A node that stays silent until the timeout ends the placement with 504 (it may yet create the call).
 */
final class CallPlacement {
    private final ClusterPlacement nodes;
    private final String self;
    private final Duration timeout;

    /** @param timeout how long {@code nodes} waits for another node's answer ({@link ClusterPlacement}) */
    CallPlacement(ClusterPlacement nodes, String self, Duration timeout) {
        this.nodes = nodes;
        this.self = self;
        this.timeout = timeout;
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
            long asked = System.nanoTime();
            tried = nodes.createOn(node.node(), body).exceptionally(e -> {
                // Failing at once (no responder: it just died) passes the call on; a node silent until the timeout
                // may still create it, so the client hears that instead of getting a second call elsewhere.
                boolean silent = System.nanoTime() - asked >= timeout.toNanos() / 2;
                int status = silent ? 504 : 503;
                return new Answer(status, Map.of("error", Map.of("status", status, "message", "node " + node.node()
                        + (silent ? " did not answer in " + timeout.toSeconds() + " s; the call may have been created "
                        + "there (GET /v1/calls shows it)" : " cannot be reached: " + e.getMessage()))));
            });
        }
        return tried.thenCompose(answer -> answer.status() == 503 ? next(candidates, body, here, answer)
                : CompletableFuture.completedFuture(answer));
    }
}
