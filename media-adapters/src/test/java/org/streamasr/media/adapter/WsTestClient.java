package org.streamasr.media.adapter;

import jakarta.websocket.ClientEndpointConfig;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.Session;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import org.glassfish.tyrus.client.ClientManager;

/**
 * A real WebSocket client (Tyrus) that records what the server sends and how it closes; it sends exactly the bytes
 * the test gives it.
 */
public final class WsTestClient implements AutoCloseable {
    private final ClientManager client = ClientManager.createClient();
    private final List<String> texts = new CopyOnWriteArrayList<>();
    private volatile CloseReason closeReason;
    private volatile Session session;

    public static WsTestClient connect(URI uri) throws Exception {
        return connect(uri, List.of(), Map.of());
    }

    public static WsTestClient connect(URI uri, List<String> subprotocols, Map<String, String> headers) throws Exception {
        WsTestClient c = new WsTestClient();
        ClientEndpointConfig cfg = ClientEndpointConfig.Builder.create()
                .preferredSubprotocols(subprotocols)
                .configurator(new ClientEndpointConfig.Configurator() {
                    @Override
                    public void beforeRequest(Map<String, List<String>> h) {
                        headers.forEach((k, v) -> h.put(k, List.of(v)));
                    }
                })
                .build();
        try {
            c.session = c.client.connectToServer(c.new Recorder(), cfg, uri);
        } catch (Exception e) {
            c.client.shutdown();
            throw e;
        }
        return c;
    }

    private final class Recorder extends Endpoint {
        @Override
        public void onOpen(Session s, EndpointConfig config) {
            s.setMaxTextMessageBufferSize(1 << 20);
            s.addMessageHandler(String.class, (MessageHandler.Whole<String>) texts::add);
        }

        @Override
        public void onClose(Session s, CloseReason reason) {
            closeReason = reason;
        }
    }

    public Session session() {
        return session;
    }

    public String negotiatedSubprotocol() {
        return session.getNegotiatedSubprotocol();
    }

    public void sendText(String text) throws IOException {
        send(() -> session.getBasicRemote().sendText(text));
    }

    public void sendBinary(byte[] data) throws IOException {
        send(() -> session.getBasicRemote().sendBinary(ByteBuffer.wrap(data)));
    }

    private interface Send {
        void run() throws IOException;
    }

    /**
     * Tyrus' client restarts its idle timer after a frame has left; when the server closes the connection at once
     * (an end-of-stream message) the client's executor may already be shut down, and the send reports that although
     * the frame went out. A send on a connection that was closed before it fails with the close reason.
     */
    private void send(Send s) throws IOException {
        try {
            s.run();
        } catch (RejectedExecutionException e) {
            if (closeReason == null && session.isOpen()) throw e;
        } catch (IllegalStateException e) {
            throw new IllegalStateException(e.getMessage() + " (close reason: " + closeReason + "; received " + texts + ")", e);
        }
    }

    public List<String> texts() {
        return new ArrayList<>(texts);
    }

    public String awaitText(int index) {
        Poll.until(() -> texts.size() > index, Duration.ofSeconds(10), () -> "message #" + index + " not received; got " + texts);
        return texts.get(index);
    }

    public CloseReason awaitClose() {
        return awaitClose(Duration.ofSeconds(10));
    }

    public CloseReason awaitClose(Duration timeout) {
        Poll.until(() -> closeReason != null, timeout, () -> "connection not closed; received " + texts);
        return closeReason;
    }

    public CloseReason closeReason() {
        return closeReason;
    }

    public boolean isOpen() {
        return session.isOpen() && closeReason == null;
    }

    @Override
    public void close() {
        try {
            if (session != null && session.isOpen()) session.close();
        } catch (IOException e) {
            // already gone
        } finally {
            client.shutdown();
        }
    }
}
