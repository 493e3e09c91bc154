package org.streamasr.cluster;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Calls held by other nodes of a cluster, as their nodes describe them ({@code GET /v1/calls} entries), and ending
 * one where it runs. {@link #NONE} on a node that runs alone.
 */
public interface CallDirectory {

    /** The owner's answer to a DELETE: its HTTP status and JSON body. */
    record Answer(int status, Map<String, Object> body) {
    }

    /** Every call of the other nodes. */
    List<Map<String, Object>> remoteCalls();

    /** One call of another node. */
    Optional<Map<String, Object>> remoteCall(String callId);

    /** Asks the node holding {@code callId} to end it; completes once its last finals were delivered there. */
    CompletableFuture<Answer> endRemote(String callId);

    CallDirectory NONE = new CallDirectory() {
        @Override
        public List<Map<String, Object>> remoteCalls() {
            return List.of();
        }

        @Override
        public Optional<Map<String, Object>> remoteCall(String callId) {
            return Optional.empty();
        }

        @Override
        public CompletableFuture<Answer> endRemote(String callId) {
            return CompletableFuture.completedFuture(new Answer(404, Map.of("error",
                    Map.of("status", 404, "message", "no live call '" + callId + "'"))));
        }
    };
}
