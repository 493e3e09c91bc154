package org.streamasr.captions;

import jakarta.websocket.CloseReason;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerEndpointConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Consumer;

/**
 * {@code GET /v1/calls/{id}/captions?token=...} (WebSocket): a call's live captions as JSON text frames
 * ({@link CaptionJson}). A wrong token or unknown call is closed with 1008; a subscriber that cannot keep up is
 * closed with 1008 and a reason; when the call ends the last frame is {@code {"type":"ended"}} and the close is
 * 1000. Messages from the client are ignored.
 */
public final class CaptionsEndpoint extends Endpoint {
    public static final String PATH = "/v1/calls/{id}/captions";
    private static final String SUBSCRIBER = "captions.subscriber";

    private final CaptionHub hub;

    private CaptionsEndpoint(CaptionHub hub) {
        this.hub = hub;
    }

    /** The endpoint's deployment, bound to {@code hub}. */
    public static ServerEndpointConfig config(CaptionHub hub) {
        return ServerEndpointConfig.Builder.create(CaptionsEndpoint.class, PATH)
                .configurator(new ServerEndpointConfig.Configurator() {
                    @Override
                    public <T> T getEndpointInstance(Class<T> endpointClass) {
                        return endpointClass.cast(new CaptionsEndpoint(hub));
                    }
                })
                .build();
    }

    @Override
    public void onOpen(Session session, EndpointConfig config) {
        // A subscriber sends nothing and a quiet call sends it nothing for minutes: no idle timeout (the container's
        // default is the media adapters').
        session.setMaxIdleTimeout(0);
        session.addMessageHandler(String.class, (MessageHandler.Whole<String>) ignored -> { });
        String callId = session.getPathParameters().get("id");
        List<String> tokens = session.getRequestParameterMap().get("token");
        String token = tokens == null || tokens.isEmpty() ? null : tokens.get(0);
        SessionChannel channel = new SessionChannel(session);
        try {
            session.getUserProperties().put(SUBSCRIBER, hub.subscribe(callId, token, channel));
        } catch (SubscriptionRejectedException e) {
            channel.close(CaptionSubscriber.CLOSE_TOO_SLOW, e.getMessage());
        }
    }

    @Override
    public void onClose(Session session, CloseReason reason) {
        CaptionSubscriber s = (CaptionSubscriber) session.getUserProperties().get(SUBSCRIBER);
        if (s != null) s.remoteClosed("client closed (" + reason.getCloseCode().getCode() + ")");
    }

    @Override
    public void onError(Session session, Throwable error) {
        CaptionSubscriber s = (CaptionSubscriber) session.getUserProperties().get(SUBSCRIBER);
        if (s != null) s.remoteClosed("transport error: " + error);
    }

    /** A Tyrus session as a caption channel: asynchronous sends, close with a reason that fits a close frame. */
    static final class SessionChannel implements CaptionChannel {
        private final Session session;

        SessionChannel(Session session) {
            this.session = session;
        }

        @Override
        public void send(String text, Consumer<Throwable> done) {
            session.getAsyncRemote().sendText(text, result -> done.accept(result.isOK() ? null : result.getException()));
        }

        @Override
        public void close(int code, String reason) {
            if (!session.isOpen()) return;
            try {
                session.close(new CloseReason(CloseReason.CloseCodes.getCloseCode(code), fitCloseReason(reason)));
            } catch (IOException | IllegalStateException e) {
                // Already closing from the other side; nothing left to tell it.
            }
        }

        @Override
        public String describe() {
            return session.getId();
        }
    }

    /** A close frame's reason is at most 123 bytes of UTF-8. */
    static String fitCloseReason(String reason) {
        if (reason == null) return "";
        String r = reason;
        while (r.getBytes(StandardCharsets.UTF_8).length > 123) r = r.substring(0, r.length() - 1);
        return r;
    }
}
