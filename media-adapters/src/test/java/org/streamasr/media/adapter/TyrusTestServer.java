package org.streamasr.media.adapter;

import jakarta.websocket.server.ServerEndpointConfig;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.glassfish.tyrus.server.TyrusServerContainer;
import org.glassfish.tyrus.spi.ServerContainerFactory;

/** A real Tyrus/Grizzly WebSocket server on an ephemeral port, serving the given programmatic endpoints. */
public final class TyrusTestServer implements AutoCloseable {
    private final TyrusServerContainer container;

    public TyrusTestServer(List<ServerEndpointConfig> endpoints) throws Exception {
        container = (TyrusServerContainer) ServerContainerFactory.createServerContainer(Map.of());
        // as the server deploys the adapters: the container's default idle timeout is theirs (see ProtocolEndpoint)
        container.setDefaultMaxSessionIdleTimeout(WsLimits.defaults().idleTimeout().toMillis());
        for (ServerEndpointConfig e : endpoints) container.addEndpoint(e);
        container.start("/", 0);
    }

    public int port() {
        return container.getPort();
    }

    public URI uri(String pathAndQuery) {
        return URI.create("ws://127.0.0.1:" + port() + pathAndQuery);
    }

    @Override
    public void close() {
        container.stop();
    }
}
