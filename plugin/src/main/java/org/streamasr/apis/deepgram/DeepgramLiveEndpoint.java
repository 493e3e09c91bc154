package org.streamasr.apis.deepgram;

import jakarta.websocket.HandshakeResponse;
import jakarta.websocket.server.HandshakeRequest;
import jakarta.websocket.server.ServerEndpointConfig;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ScheduledExecutorService;
import org.streamasr.api.http.ApiKeys;
import org.streamasr.apis.LanguageResolver;
import org.streamasr.apis.ModelNotServedException;
import org.streamasr.apis.ServedModel;
import org.streamasr.apis.ServedModels;
import org.streamasr.engine.UnsupportedSettingException;
import org.streamasr.apis.LiveAudio;
import org.streamasr.media.MediaMetrics;
import org.streamasr.media.adapter.CloseCodes;
import org.streamasr.media.adapter.ConnectionInfo;
import org.streamasr.media.adapter.ConnectionRefusedException;
import org.streamasr.media.adapter.EndpointConfigs;
import org.streamasr.media.adapter.WsLimits;

/**
 * Deepgram's live {@code WS /v1/listen}. The upgrade is checked before it is accepted, as Deepgram does: a missing
 * or wrong key ({@code Authorization: Token KEY}, {@code Bearer KEY}, or the browser form, subprotocols
 * {@code token, KEY}, of which {@code token} is echoed) is HTTP 401, a bad query, an unknown model or a language no
 * engine serves is HTTP 400, each with {@code dg-error} and {@code dg-request-id}.
 */
public final class DeepgramLiveEndpoint {
    public static final String PATH = "/v1/listen";
    private static final String REQUEST_ID = "dg-request-id";

    private DeepgramLiveEndpoint() {
    }

    /** A refused upgrade: HTTP status and Deepgram's message. */
    private record Refusal(int status, String message) {
    }

    /** What a checked upgrade resolves to. */
    private record Accepted(ServedModel model, String language, DeepgramLiveSpec options) {
    }

    public static ServerEndpointConfig create(LiveAudio.Opener sink, ServedModels models, ApiKeys keys, MediaMetrics metrics,
                                              WsLimits limits, ScheduledExecutorService timer) {
        return EndpointConfigs.create(PATH, List.of("token", "bearer"), DeepgramLiveSession.COMPONENT, metrics, limits,
                (connection, out) -> {
                    Object checked = check(connection.query(), connection::header, models, keys);
                    if (checked instanceof Refusal r) {
                        // the handshake guard answered with HTTP already; only a race gets here
                        throw new ConnectionRefusedException(CloseCodes.POLICY_VIOLATION, r.message());
                    }
                    Accepted a = (Accepted) checked;
                    String requestId = requestIdOf(connection);
                    return new DeepgramLiveSession(sink, a.model(), a.language(), a.options(), requestId, out,
                            metrics.dropCounter(DeepgramLiveSession.COMPONENT), timer, System::currentTimeMillis);
                },
                (request, response) -> guard(request, response, models, keys));
    }

    private static void guard(HandshakeRequest request, HandshakeResponse response, ServedModels models, ApiKeys keys) {
        String requestId = UUID.randomUUID().toString();
        response.getHeaders().put(REQUEST_ID, List.of(requestId));
        Object checked = check(request.getParameterMap(), name -> header(request, name), models, keys);
        if (checked instanceof Refusal r) {
            response.getHeaders().put("dg-error", List.of(r.message()));
            setStatus(response, r.status());
        }
    }

    /** Sets the HTTP status of a refused upgrade (Tyrus answers it instead of 101). */
    private static void setStatus(HandshakeResponse response, int status) {
        if (response instanceof org.glassfish.tyrus.core.TyrusUpgradeResponse tyrus) tyrus.setStatus(status);
    }

    private static String requestIdOf(ConnectionInfo connection) {
        String id = connection.header(REQUEST_ID);
        return id == null ? UUID.randomUUID().toString() : id;
    }

    private static String header(HandshakeRequest request, String name) {
        for (Map.Entry<String, List<String>> e : request.getHeaders().entrySet()) {
            if (e.getKey().equalsIgnoreCase(name) && !e.getValue().isEmpty()) return String.join(",", e.getValue());
        }
        return null;
    }

    private static Object check(Map<String, List<String>> query, java.util.function.Function<String, String> headers,
                                ServedModels models, ApiKeys keys) {
        if (!keys.accepts(keyOf(headers))) return new Refusal(401, "Invalid credentials.");
        DeepgramLiveSpec options;
        try {
            options = DeepgramLiveSpec.parse(query);
        } catch (DeepgramLiveSpec.InvalidQueryException e) {
            return new Refusal(400, e.getMessage());
        }
        ServedModel model;
        try {
            model = models.resolve(options.model());
        } catch (ModelNotServedException e) {
            return new Refusal(400, "No such model/language/tier combination found. " + e.getMessage());
        }
        try {
            return new Accepted(model, LanguageResolver.resolve(model.engine(), options.language()), options);
        } catch (UnsupportedSettingException e) {
            return new Refusal(400, "No such model/language/tier combination found. " + e.getMessage());
        }
    }

    /** {@code Authorization: Token|Bearer KEY}, or the browser form: subprotocols {@code token, KEY}. */
    private static String keyOf(java.util.function.Function<String, String> headers) {
        String key = ApiKeys.keyOf(headers.apply("Authorization"));
        if (key != null) return key;
        String protocols = headers.apply("Sec-WebSocket-Protocol");
        if (protocols == null) return null;
        String[] offered = protocols.split(",");
        for (int i = 0; i + 1 < offered.length; i++) {
            String p = offered[i].trim();
            if (p.equalsIgnoreCase("token") || p.equalsIgnoreCase("bearer")) return offered[i + 1].trim();
        }
        return null;
    }
}
