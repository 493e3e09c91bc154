package org.streamasr.server;

import jakarta.websocket.DeploymentException;
import jakarta.websocket.server.ServerEndpointConfig;
import java.util.Map;
import java.util.Set;
import org.glassfish.tyrus.core.TyrusWebSocketEngine;
import org.glassfish.tyrus.server.TyrusServerContainer;
import org.glassfish.tyrus.spi.WebSocketEngine;

/**
 * Tyrus on the server's own Grizzly listener: the same engine that Tyrus' {@code GrizzlyServerContainer} builds,
 * without the HttpServer it would start, so that HTTP and WebSocket share one port. The listener gets
 * {@code new WebSocketAddOn(container, "")}; endpoints are registered before the server starts.
 */
final class EmbeddedWebSocketContainer extends TyrusServerContainer {
    private final TyrusWebSocketEngine engine;

    EmbeddedWebSocketContainer(int incomingBufferSize) {
        super((Set<Class<?>>) null);
        engine = TyrusWebSocketEngine.builder(this).incomingBufferSize(incomingBufferSize).build();
    }

    @Override
    public void register(Class<?> endpointClass) throws DeploymentException {
        engine.register(endpointClass, "");
    }

    @Override
    public void register(ServerEndpointConfig serverEndpointConfig) throws DeploymentException {
        engine.register(serverEndpointConfig, "");
    }

    @Override
    public Map<String, Object> getProperties() {
        return Map.of();
    }

    @Override
    public WebSocketEngine getWebSocketEngine() {
        return engine;
    }
}
