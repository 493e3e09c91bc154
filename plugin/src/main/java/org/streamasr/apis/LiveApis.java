package org.streamasr.apis;

import jakarta.websocket.server.ServerEndpointConfig;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.streamasr.api.http.ApiKeys;
import org.streamasr.apis.deepgram.DeepgramLiveEndpoint;
import org.streamasr.apis.openai.RealtimeEndpoint;
import org.streamasr.media.CallSink;
import org.streamasr.media.MediaMetrics;
import org.streamasr.media.adapter.WsLimits;
import org.streamasr.runtime.NamedThreads;

/**
 * The live WebSocket sides of the outside APIs on the main port: Deepgram's {@code /v1/listen} and OpenAI's
 * {@code /v1/realtime}. Both open calls through the server's {@link CallSink} like every media adapter, with the
 * hosted API's keys. Owns one timer thread ({@code asr-apis-timer}: Deepgram's inactivity timeout and
 * UtteranceEnd), ended by {@link #close()}.
 */
public final class LiveApis implements AutoCloseable {
    private final ScheduledExecutorService timer =
            Executors.newSingleThreadScheduledExecutor(NamedThreads.single("asr-apis-timer", true));
    private final List<ServerEndpointConfig> endpoints;

    /** @param mediaPool the media adapters' CPU pool, where the ingest pipeline decodes and resamples */
    public LiveApis(CallSink sink, java.util.concurrent.Executor mediaPool, ServedModels models, ApiKeys keys,
                    MediaMetrics metrics, WsLimits limits) {
        LiveAudio.Opener opener = new LiveAudio.Opener(sink, mediaPool, metrics);
        this.endpoints = List.of(
                DeepgramLiveEndpoint.create(opener, models, keys, metrics, limits, timer),
                RealtimeEndpoint.create(opener, models, keys, metrics, limits));
    }

    public List<ServerEndpointConfig> endpoints() {
        return endpoints;
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
