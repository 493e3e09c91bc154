package org.streamasr.media.adapter;

import jakarta.websocket.CloseReason;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.Session;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.streamasr.runtime.DropCounter;
import org.streamasr.media.MediaMetrics;

/**
 * The thin Jakarta WebSocket glue around a {@link ProtocolSession}: one instance per connection (see
 * {@link EndpointConfigs}). It applies the {@link WsLimits}, builds the {@link ConnectionInfo}, gives the session an
 * {@link OutboundQueue} over the socket's asynchronous sender, forwards messages, and guards the network thread:
 * nothing a session throws reaches the container (counted "internal-error" and logged, the connection goes on).
 */
public final class ProtocolEndpoint extends Endpoint {
    /** User property under which the handshake stores the upgrade request's headers (per connection). */
    static final String HEADERS_PROPERTY = ProtocolEndpoint.class.getName() + ".headers";

    private static final Logger log = LoggerFactory.getLogger(ProtocolEndpoint.class);

    private final String component;
    private final MediaMetrics metrics;
    private final WsLimits limits;
    private final ProtocolSessionFactory factory;
    private final DropCounter drops;

    private volatile ProtocolSession session;
    private volatile OutboundQueue out;

    ProtocolEndpoint(String component, MediaMetrics metrics, WsLimits limits, ProtocolSessionFactory factory) {
        this.component = component;
        this.metrics = metrics;
        this.limits = limits;
        this.factory = factory;
        this.drops = metrics.dropCounter(component);
    }

    @Override
    public void onOpen(Session ws, EndpointConfig config) {
        ws.setMaxTextMessageBufferSize(limits.maxMessageBytes());
        ws.setMaxBinaryMessageBufferSize(limits.maxMessageBytes());
        // Tyrus (2.2) schedules a session's first idle check at creation with the container's default timeout; when
        // that is 0 and the check runs only after a positive timeout was set here (a loaded machine), it closes the
        // session at once. So the timeout is set only when the container's default differs: deploy with the
        // container's default max session idle timeout equal to the adapters' idle timeout.
        if (ws.getMaxIdleTimeout() != limits.idleTimeout().toMillis()) ws.setMaxIdleTimeout(limits.idleTimeout().toMillis());
        OutboundQueue queue = new OutboundQueue(new SessionTransport(ws), limits.outbound(), metrics, component);
        out = queue;
        metrics.outbound().opened(queue);
        metrics.counter(component + ".connections.opened").increment();
        ConnectionInfo info = connectionInfo(ws, config);
        if (config.getUserProperties().get(ConnectionGuard.PROPERTY) instanceof ConnectionGuard guard) {
            String why = guard.refusal(info);
            if (why != null) {
                drops.drop("unauthorized", info.path() + ": " + why);
                queue.closeNow(CloseCodes.POLICY_VIOLATION, "unauthorized");
                return;
            }
        }
        try {
            session = factory.open(info, queue);
        } catch (ConnectionRefusedException e) {
            drops.drop("refused", e.getMessage());
            queue.closeNow(e.closeCode(), e.getMessage());
            return;
        } catch (RuntimeException e) {
            internalError(e);
            queue.closeNow(CloseCodes.INTERNAL_ERROR, "internal error");
            return;
        }
        ws.addMessageHandler(String.class, (MessageHandler.Whole<String>) this::text);
        ws.addMessageHandler(ByteBuffer.class, (MessageHandler.Whole<ByteBuffer>) this::binary);
    }

    @Override
    public void onClose(Session ws, CloseReason reason) {
        int code = reason.getCloseCode().getCode();
        if (code == CloseCodes.TOO_BIG) drops.drop("message-too-big", "closed: a fragmented message passed " + limits.maxMessageBytes() + " bytes");
        OutboundQueue queue = out;
        if (queue != null) {
            queue.onTransportClosed();
            metrics.outbound().closed(queue);
        }
        ProtocolSession s = session;
        if (s == null) return;
        try {
            s.onClosed(code, reason.getReasonPhrase());
        } catch (RuntimeException e) {
            internalError(e);
        }
        metrics.counter(component + ".connections.closed").increment();
    }

    @Override
    public void onError(Session ws, Throwable error) {
        drops.drop("socket-error", String.valueOf(error));
    }

    private void text(String message) {
        ProtocolSession s = session;
        if (s == null) return;
        if (message.length() > limits.maxMessageBytes()) {
            tooBig(message.length());
            return;
        }
        try {
            s.onText(message);
        } catch (RuntimeException e) {
            internalError(e);
        }
    }

    private void binary(ByteBuffer message) {
        ProtocolSession s = session;
        if (s == null) return;
        if (message.remaining() > limits.maxMessageBytes()) {
            tooBig(message.remaining());
            return;
        }
        try {
            s.onBinary(message);
        } catch (RuntimeException e) {
            internalError(e);
        }
    }

    /** Tyrus enforces its buffer limits on fragmented messages only; a single big frame is dropped here. */
    private void tooBig(int size) {
        drops.drop("message-too-big", size + " bytes in one message; the limit is " + limits.maxMessageBytes());
    }

    private void internalError(RuntimeException e) {
        drops.drop("internal-error", String.valueOf(e));
        log.error("{}: a protocol session threw; the connection goes on", component, e);
    }

    @SuppressWarnings("unchecked")
    private static ConnectionInfo connectionInfo(Session ws, EndpointConfig config) {
        Object h = config.getUserProperties().get(HEADERS_PROPERTY);
        Map<String, List<String>> headers = h instanceof Map<?, ?> m ? (Map<String, List<String>>) m : Map.of();
        String path = ws.getRequestURI() == null ? "" : ws.getRequestURI().getPath();
        return new ConnectionInfo(path, ws.getPathParameters(), ws.getRequestParameterMap(), headers,
                ws.getNegotiatedSubprotocol());
    }

    /** Sends through the socket's asynchronous remote; closing is best effort on a socket that may be gone. */
    private static final class SessionTransport implements OutboundQueue.Transport {
        private final Session ws;

        SessionTransport(Session ws) {
            this.ws = ws;
        }

        @Override
        public void sendText(String text, Consumer<Throwable> done) {
            try {
                ws.getAsyncRemote().sendText(text, result -> done.accept(result.isOK() ? null : result.getException()));
            } catch (RuntimeException e) {
                done.accept(e);
            }
        }

        @Override
        public void close(int code, String reason) {
            try {
                if (ws.isOpen()) ws.close(new CloseReason(CloseReason.CloseCodes.getCloseCode(code), CloseCodes.fitReason(reason)));
            } catch (IOException | RuntimeException e) {
                log.debug("closing a socket that is already gone: {}", e.toString());
            }
        }
    }
}
