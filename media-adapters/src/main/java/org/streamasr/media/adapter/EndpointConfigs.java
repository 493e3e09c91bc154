package org.streamasr.media.adapter;

import jakarta.websocket.HandshakeResponse;
import jakarta.websocket.server.HandshakeRequest;
import jakarta.websocket.server.ServerEndpointConfig;
import java.util.HashMap;
import java.util.List;
import org.streamasr.media.MediaMetrics;

/**
 * Builds the {@link ServerEndpointConfig} of a programmatic adapter endpoint, so the server can deploy every adapter
 * on its one port. Each connection gets its own {@link ProtocolEndpoint}; the handshake keeps the request headers in
 * the connection's user properties (per connection in Jakarta WebSocket 2.1 and Tyrus).
 */
public final class EndpointConfigs {
    private EndpointConfigs() {
    }

    /**
     * @param path         the path or path template ("/mediajson/{callId}")
     * @param subprotocols subprotocols offered; the first one the client also asks for is selected
     * @param component    name for metrics and drop counters ("mediajson", "vosk", ...)
     */
    public static ServerEndpointConfig create(String path, List<String> subprotocols, String component,
                                              MediaMetrics metrics, WsLimits limits, ProtocolSessionFactory factory) {
        return create(path, subprotocols, component, metrics, limits, factory, (request, response) -> { });
    }

    /**
     * Looks at an upgrade request before it is accepted; may refuse it with an HTTP status (set on the response,
     * with headers such as Deepgram's {@code dg-error}), which Tyrus then answers instead of switching protocols.
     */
    @FunctionalInterface
    public interface HandshakeGuard {
        void check(HandshakeRequest request, HandshakeResponse response);
    }

    /** As {@link #create}, with a {@link HandshakeGuard} (APIs that refuse bad credentials or queries with HTTP). */
    public static ServerEndpointConfig create(String path, List<String> subprotocols, String component,
                                              MediaMetrics metrics, WsLimits limits, ProtocolSessionFactory factory,
                                              HandshakeGuard guard) {
        return ServerEndpointConfig.Builder.create(ProtocolEndpoint.class, path)
                .subprotocols(List.copyOf(subprotocols))
                .configurator(new ServerEndpointConfig.Configurator() {
                    @Override
                    public <T> T getEndpointInstance(Class<T> endpointClass) {
                        return endpointClass.cast(new ProtocolEndpoint(component, metrics, limits, factory));
                    }

                    @Override
                    public void modifyHandshake(ServerEndpointConfig sec, HandshakeRequest request, HandshakeResponse response) {
                        sec.getUserProperties().put(ProtocolEndpoint.HEADERS_PROPERTY, new HashMap<>(request.getHeaders()));
                        guard.check(request, response);
                    }
                })
                .build();
    }

    /** The same endpoint at several paths (e.g. "/vosk" and "/vosk/{lang}"). */
    public static List<ServerEndpointConfig> createAll(List<String> paths, List<String> subprotocols, String component,
                                                       MediaMetrics metrics, WsLimits limits, ProtocolSessionFactory factory) {
        return paths.stream().map(p -> create(p, subprotocols, component, metrics, limits, factory)).toList();
    }
}
