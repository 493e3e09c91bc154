package org.streamasr.apis.openai;

import jakarta.websocket.server.ServerEndpointConfig;
import java.nio.ByteBuffer;
import java.util.List;
import org.streamasr.api.http.ApiKeys;
import org.streamasr.apis.ModelNotServedException;
import org.streamasr.apis.ServedModel;
import org.streamasr.apis.ServedModels;
import org.streamasr.apis.LiveAudio;
import org.streamasr.media.MediaMetrics;
import org.streamasr.media.adapter.CloseCodes;
import org.streamasr.media.adapter.ConnectionInfo;
import org.streamasr.media.adapter.EndpointConfigs;
import org.streamasr.media.adapter.OutboundChannel;
import org.streamasr.media.adapter.ProtocolSession;
import org.streamasr.media.adapter.WsLimits;

/**
 * OpenAI's realtime transcription WebSocket, {@code /v1/realtime} ({@code ?intent=transcription} or
 * {@code ?model=NAME}; the URL's model is the conversation model and only chooses the engine when it is a served
 * name). Keys as the hosted API's: {@code Authorization: Bearer KEY}, or the browser subprotocols
 * {@code realtime, openai-insecure-api-key.KEY} ({@code realtime} is echoed). A wrong key gets OpenAI's
 * {@code error} event with code {@code invalid_api_key} (which makes Jigasi stop retrying) and close 1008. Beta
 * clients ({@code OpenAI-Beta: realtime=v1}) get the {@code transcription_session.*} names.
 */
public final class RealtimeEndpoint {
    public static final String PATH = "/v1/realtime";
    static final String KEY_PROTOCOL = "openai-insecure-api-key.";

    private RealtimeEndpoint() {
    }

    public static ServerEndpointConfig create(LiveAudio.Opener sink, ServedModels models, ApiKeys keys, MediaMetrics metrics,
                                              WsLimits limits) {
        return EndpointConfigs.create(PATH, List.of("realtime"), RealtimeSession.COMPONENT, metrics, limits,
                (connection, out) -> {
                    if (!keys.accepts(keyOf(connection))) return refused(out);
                    boolean beta = String.valueOf(connection.header("OpenAI-Beta")).contains("realtime=v1")
                            || String.valueOf(connection.header("Sec-WebSocket-Protocol")).contains("openai-beta.realtime-v1");
                    String urlModel = connection.queryParameter("model");
                    boolean transcription = "transcription".equals(connection.queryParameter("intent"));
                    ServedModel model;
                    String shown = "gpt-4o-transcribe";
                    try {
                        model = models.resolve(urlModel);
                        if (urlModel != null) shown = urlModel;
                    } catch (ModelNotServedException e) {
                        try {
                            model = models.resolve("");
                        } catch (ModelNotServedException impossible) {
                            throw new IllegalStateException(impossible);
                        }
                    }
                    RealtimeSessionConfig config = RealtimeSessionConfig.initial(
                            transcription || urlModel == null ? "transcription" : "realtime", shown);
                    return new RealtimeSession(sink, models, model, config, beta, out,
                            metrics.dropCounter(RealtimeSession.COMPONENT));
                });
    }

    private static String keyOf(ConnectionInfo connection) {
        String key = ApiKeys.keyOf(connection.header("Authorization"));
        if (key != null) return key;
        String protocols = connection.header("Sec-WebSocket-Protocol");
        if (protocols == null) return null;
        for (String p : protocols.split(",")) {
            String t = p.trim();
            if (t.startsWith(KEY_PROTOCOL)) return t.substring(KEY_PROTOCOL.length());
        }
        return null;
    }

    /** OpenAI's answer to a wrong key on the realtime socket: an error event, then close. */
    private static ProtocolSession refused(OutboundChannel out) {
        OpenAiError e = OpenAiError.invalidKey("Incorrect API key provided. Use a key of this server's asr.api.keys "
                + "(ASR_API_KEYS) in 'Authorization: Bearer <key>'.");
        var event = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        event.put("type", "error");
        event.put("event_id", "event_refused");
        var err = e.errorObject();
        err.putNull("event_id");
        event.set("error", err);
        out.sendText(event.toString(), OutboundChannel.Priority.FINAL, null);
        out.closeAfterFlush(CloseCodes.POLICY_VIOLATION, "invalid_api_key");
        return new ProtocolSession() {
            @Override
            public void onText(String text) {
            }

            @Override
            public void onBinary(ByteBuffer data) {
            }

            @Override
            public void onClosed(int code, String reason) {
            }
        };
    }
}
