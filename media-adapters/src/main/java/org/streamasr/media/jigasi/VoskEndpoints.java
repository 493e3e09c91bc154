package org.streamasr.media.jigasi;

import jakarta.websocket.server.ServerEndpointConfig;
import java.util.List;
import java.util.concurrent.Executor;
import org.streamasr.media.CallSink;
import org.streamasr.media.MediaMetrics;
import org.streamasr.media.adapter.EndpointConfigs;

/**
 * vosk-server compatible WebSocket endpoints, for Jigasi's {@code VoskTranscriptionService}.
 *
 * <p>Default paths ({@link VoskConfig#defaults()}): {@code /vosk} (the server's default language) and
 * {@code /vosk/{lang}}. Each connection is one participant and one call (Jigasi sends no room or participant
 * information on this protocol). Jigasi configuration ({@code sip-communicator.properties}):
 * <pre>
 * org.jitsi.jigasi.transcription.customService=org.jitsi.jigasi.transcription.VoskTranscriptionService
 * org.jitsi.jigasi.transcription.vosk.websocket_url=ws://asr.example.com:PORT/vosk
 * # or one URL per language (Jigasi's language routing):
 * org.jitsi.jigasi.transcription.vosk.websocket_url={"en":"ws://asr:PORT/vosk/en","de":"ws://asr:PORT/vosk/de"}
 * </pre>
 */
public final class VoskEndpoints {
    private VoskEndpoints() {
    }

    public static List<ServerEndpointConfig> create(CallSink sink, MediaMetrics metrics, Executor mediaPool, VoskConfig config) {
        return EndpointConfigs.createAll(config.paths(), List.of(), VoskSession.COMPONENT, metrics, config.limits(),
                (connection, out) -> VoskSession.open(sink, config, connection, out, metrics, mediaPool));
    }
}
