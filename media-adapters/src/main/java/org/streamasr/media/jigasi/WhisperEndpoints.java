package org.streamasr.media.jigasi;

import jakarta.websocket.server.ServerEndpointConfig;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.function.LongSupplier;
import org.streamasr.media.CallSink;
import org.streamasr.media.MediaMetrics;
import org.streamasr.media.adapter.EndpointConfigs;

/**
 * Skynet "streaming whisper" compatible WebSocket endpoints, for Jigasi's {@code WhisperTranscriptionService}.
 *
 * <p>Default paths ({@link WhisperConfig#openDefaults()}): {@code /streaming-whisper/ws/{meetingId}} (Skynet's) and
 * {@code /ws/{meetingId}} (what Jigasi builds from its default {@code websocket_url}). One connection per room; the
 * path's last segment is the call id. With a {@link JwtVerifier} configured, the token comes from
 * {@code ?auth_token=} (what Jigasi sends) or {@code Authorization: Bearer}; a bad one closes the connection with
 * 1008. Jigasi configuration:
 * <pre>
 * org.jitsi.jigasi.transcription.customService=org.jitsi.jigasi.transcription.WhisperTranscriptionService
 * org.jitsi.jigasi.transcription.whisper.websocket_url=ws://asr.example.com:PORT/streaming-whisper/ws
 * org.jitsi.jigasi.transcription.whisper.private_key_name=jigasi-key-1
 * org.jitsi.jigasi.transcription.whisper.private_key=BASE64_PKCS8_RSA_PRIVATE_KEY
 * org.jitsi.jigasi.transcription.whisper.jwt_audience=jitsi
 * </pre>
 */
public final class WhisperEndpoints {
    private WhisperEndpoints() {
    }

    public static List<ServerEndpointConfig> create(CallSink sink, MediaMetrics metrics, Executor mediaPool, WhisperConfig config) {
        return create(sink, metrics, mediaPool, config, System::currentTimeMillis);
    }

    static List<ServerEndpointConfig> create(CallSink sink, MediaMetrics metrics, Executor mediaPool, WhisperConfig config, LongSupplier wallClockMillis) {
        return EndpointConfigs.createAll(config.paths(), List.of(), WhisperSession.COMPONENT, metrics, config.limits(),
                (connection, out) -> WhisperSession.open(sink, config, connection, out, metrics, mediaPool, wallClockMillis));
    }
}
