package org.streamasr.server;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import org.glassfish.grizzly.http.server.HttpHandler;
import org.glassfish.grizzly.http.server.Request;
import org.glassfish.grizzly.http.server.Response;
import org.streamasr.stream.CallRegistry;

/**
 * {@code GET /health}: 200 while serving; 503 once shutdown began ({@code draining}) or while the node carries
 * {@code asr.cluster.max-streams} streams ({@code full}, {@link CallRegistry#load()}), so a load balancer stops sending
 * calls.
 */
final class HealthHandler extends HttpHandler {
    private final CallRegistry calls;
    private final BooleanSupplier draining;
    private final String node;
    private final Supplier<String> cluster;
    private final IntSupplier streams;

    /**
     * @param cluster "ok", "off" (no cluster), or why this node cannot use its cluster now
     * @param streams participant streams open now
     */
    HealthHandler(CallRegistry calls, BooleanSupplier draining, String node, Supplier<String> cluster,
                  IntSupplier streams) {
        this.calls = calls;
        this.draining = draining;
        this.node = node;
        this.cluster = cluster;
        this.streams = streams;
    }

    @Override
    public void service(Request request, Response response) throws Exception {
        boolean down = draining.getAsBoolean();
        int live = streams.getAsInt();
        boolean full = !down && calls.full();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", down ? "draining" : full ? "full" : "ok");
        body.put("engine", calls.engines().defaultEngine().name());
        body.put("calls", calls.size());
        body.put("node", node);
        body.put("cluster", cluster.get());
        body.put("streams", live);
        body.put("load", calls.load());
        if (calls.nodeStreamLimit() > 0) body.put("maxStreams", calls.nodeStreamLimit());
        HttpJson.send(response, down || full ? 503 : 200, body);
    }
}
