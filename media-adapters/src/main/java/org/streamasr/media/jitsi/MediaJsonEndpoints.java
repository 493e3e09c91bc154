package org.streamasr.media.jitsi;

import jakarta.websocket.server.ServerEndpointConfig;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.function.LongSupplier;
import org.streamasr.media.CallSink;
import org.streamasr.media.MediaMetrics;
import org.streamasr.media.adapter.EndpointConfigs;

/**
 * The MEDIAJSON WebSocket endpoints a Jitsi Videobridge connects to (colibri2 {@code Connect} with
 * {@code protocol=MEDIAJSON}, set up by Jicofo's {@code jicofo.transcription.url-template}).
 *
 * <p>Default paths ({@link MediaJsonConfig#defaults()}): {@code /mediajson}, {@code /mediajson/{callId}} and
 * {@code /transcribe}. The call id is the {@code {callId}} path segment, else the query parameter {@code sessionId}
 * (the opus-transcriber-proxy's), {@code callId}, {@code meetingId} or {@code room}, else generated. Query
 * parameters: {@code lang} (recognition and reported language), {@code sendBack=false} (no results on the socket),
 * {@code sendBackInterim=false} (finals only). Example Jicofo setting:
 * {@code url-template = "wss://asr.example.com/mediajson/{{MEETING_ID}}"}.
 */
public final class MediaJsonEndpoints {
    private MediaJsonEndpoints() {
    }

    public static List<ServerEndpointConfig> create(CallSink sink, MediaMetrics metrics, Executor mediaPool, MediaJsonConfig config) {
        return create(sink, metrics, mediaPool, config, System::currentTimeMillis);
    }

    static List<ServerEndpointConfig> create(CallSink sink, MediaMetrics metrics, Executor mediaPool, MediaJsonConfig config,
                                             LongSupplier wallClockMillis) {
        return EndpointConfigs.createAll(config.paths(), List.of(), MediaJsonSession.COMPONENT, metrics, config.limits(),
                (connection, out) -> MediaJsonSession.open(sink, config, connection, out, metrics, mediaPool, wallClockMillis));
    }
}
