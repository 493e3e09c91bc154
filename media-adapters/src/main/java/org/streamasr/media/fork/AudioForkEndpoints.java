package org.streamasr.media.fork;

import jakarta.websocket.server.ServerEndpointConfig;
import java.util.List;
import java.util.concurrent.Executor;
import org.streamasr.media.CallSink;
import org.streamasr.media.MediaMetrics;
import org.streamasr.media.adapter.EndpointConfigs;

/**
 * WebSocket endpoints for FreeSWITCH mod_audio_fork (subprotocol {@code audio.drachtio.org}, or
 * {@code audiostream.drachtio.org} from builds before 2020) and jambonz's
 * {@code listen} verb (subprotocol {@code audio.jambonz.org}).
 *
 * <p>Default paths ({@link AudioForkConfig#defaults()}): {@code /audio-fork} and {@code /audio-fork/{callId}}. URL
 * parameters for what mod_audio_fork does not announce: {@code rate} (8000, 16000, "16k", ... up to 64000),
 * {@code mix} (mono, mixed, stereo), {@code lang}, {@code callId}. Stereo gives two participants: {@code caller}
 * (left) and {@code callee} (right). Transcripts come back as {@code {"type":"transcription","data":{...}}}, which
 * FreeSWITCH raises as {@code mod_audio_fork::transcription} events. Examples:
 * <pre>
 * FreeSWITCH: uuid_audio_fork &lt;uuid&gt; start ws://asr.example.com:PORT/audio-fork?rate=16000&amp;mix=stereo stereo 16k {"callId":"&lt;uuid&gt;"}
 * jambonz:    {"verb": "listen", "url": "wss://asr.example.com/audio-fork", "sampleRate": 16000, "mixType": "stereo"}
 * </pre>
 */
public final class AudioForkEndpoints {
    private AudioForkEndpoints() {
    }

    public static List<ServerEndpointConfig> create(CallSink sink, MediaMetrics metrics, Executor mediaPool, AudioForkConfig config) {
        return EndpointConfigs.createAll(config.paths(), config.subprotocols(), AudioForkSession.COMPONENT, metrics,
                config.limits(), (connection, out) -> AudioForkSession.open(sink, config, connection, out, metrics, mediaPool));
    }
}
