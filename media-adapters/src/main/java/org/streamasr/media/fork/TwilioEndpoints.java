package org.streamasr.media.fork;

import jakarta.websocket.server.ServerEndpointConfig;
import java.util.List;
import java.util.concurrent.Executor;
import org.streamasr.media.CallSink;
import org.streamasr.media.MediaMetrics;
import org.streamasr.media.adapter.EndpointConfigs;

/**
 * The Twilio Media Streams WebSocket endpoint. Default path ({@link TwilioConfig#defaults()}): {@code /twilio}. The
 * call id is the {@code callSid}; a {@code <Parameter name="language" value="de-DE"/>} (or {@code ?lang=}) picks
 * the language; each track is a participant ({@code inbound}, {@code outbound}). TwiML:
 * <pre>
 * &lt;Start&gt;&lt;Stream url="wss://asr.example.com/twilio" track="both_tracks"&gt;
 *   &lt;Parameter name="language" value="en-US"/&gt;
 * &lt;/Stream&gt;&lt;/Start&gt;
 * </pre>
 * Transcripts are not sent back on this socket (Twilio reads only media); they go to the server's captions.
 */
public final class TwilioEndpoints {
    private TwilioEndpoints() {
    }

    public static List<ServerEndpointConfig> create(CallSink sink, MediaMetrics metrics, Executor mediaPool, TwilioConfig config) {
        return EndpointConfigs.createAll(config.paths(), List.of(), TwilioSession.COMPONENT, metrics, config.limits(),
                (connection, out) -> TwilioSession.open(sink, config, connection, out, metrics, mediaPool));
    }
}
