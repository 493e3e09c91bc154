package org.streamasr.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.streamasr.runtime.NamedThreads;
import org.streamasr.media.opus.OpusFrameEncoder;

/**
 * Sends participants' speech to a MEDIAJSON endpoint the way a Jitsi Videobridge exports it: one WebSocket per
 * conference, a {@code start} event per source with {@code opus/48000/2}, then {@code media} events carrying base64
 * stereo Opus RTP payloads every 20 ms (sequence number as {@code chunk}, 48 kHz RTP timestamp), paced in real time
 * (or faster), and finally {@code stop} per source. Each source's {@code start} names its speaker in
 * {@code customParameters.displayName}. Results the server sends back ({@code transcription-result}) are counted.
 */
public final class MediaJsonSender implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int FRAME_16K = 320;       // 20 ms at 16 kHz
    private static final int FRAME_48K_TICKS = 960; // 20 ms on Opus' 48 kHz RTP clock

    /** One speaker: display name, endpoint id, 16 kHz mono speech, and when (ms after the start) it begins. */
    public record Speaker(String endpointId, String name, short[] audio16k, long startMillis) {
    }

    private final ExecutorService httpPool = Executors.newSingleThreadExecutor(NamedThreads.single("mediajson-sender-io", true));
    private final ScheduledExecutorService clock = Executors.newSingleThreadScheduledExecutor(
            NamedThreads.single("mediajson-sender-clock", true));
    private final WebSocket socket;
    private volatile int resultsReceived;
    private final Set<String> resultNames = ConcurrentHashMap.newKeySet();
    private final StringBuilder pendingText = new StringBuilder();

    private MediaJsonSender(URI uri) throws Exception {
        HttpClient client = HttpClient.newBuilder().executor(httpPool).build();
        this.socket = client.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10))
                .buildAsync(uri, new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                        pendingText.append(data);
                        if (last) {
                            if (pendingText.indexOf("transcription-result") >= 0) {
                                resultsReceived++;
                                resultName(pendingText.toString());
                            }
                            pendingText.setLength(0);
                        }
                        ws.request(1);
                        return null;
                    }
                }).get(10, TimeUnit.SECONDS);
    }

    /** Connects to {@code uri} (e.g. ws://host:8080/mediajson/ROOM), as the bridge does when transcription starts. */
    public static MediaJsonSender connect(URI uri) throws Exception {
        return new MediaJsonSender(uri);
    }

    /** transcription-result messages the server sent back on this socket. */
    public int resultsReceived() {
        return resultsReceived;
    }

    /** The participant names ({@code participant.name}) those results carried. */
    public Set<String> resultNames() {
        return Set.copyOf(resultNames);
    }

    private void resultName(String json) {
        try {
            String name = JSON.readTree(json).path("participant").path("name").asText("");
            if (!name.isEmpty()) resultNames.add(name);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            resultNames.add("(unreadable result)");
        }
    }

    /**
     * Sends every speaker's audio, paced at {@code speed} times real time; completes when all was sent.
     */
    public CompletableFuture<Void> send(List<Speaker> speakers, double speed) {
        List<Source> sources = new ArrayList<>();
        int ssrc = 0x1000;
        for (Speaker s : speakers) sources.add(new Source(s, ssrc++));
        CompletableFuture<Void> done = new CompletableFuture<>();
        long periodMicros = Math.max(100, (long) (20_000 / speed));
        long[] tick = {0};
        var task = clock.scheduleAtFixedRate(() -> {
            try {
                long nowMillis = tick[0]++ * 20;
                boolean anyLeft = false;
                for (Source s : sources) anyLeft |= s.step(nowMillis);
                if (!anyLeft) done.complete(null);
            } catch (RuntimeException e) {
                done.completeExceptionally(e);
            }
        }, 0, periodMicros, TimeUnit.MICROSECONDS);
        done.whenComplete((v, e) -> {
            task.cancel(false);
            sources.forEach(Source::close);
        });
        return done;
    }

    private final class Source {
        final Speaker speaker;
        final String tag;
        final OpusFrameEncoder encoder = new OpusFrameEncoder(16_000, 2, 40_000, 10);
        int offset;
        long seq = 1;
        boolean started;
        boolean stopped;

        Source(Speaker speaker, int ssrc) {
            this.speaker = speaker;
            this.tag = speaker.endpointId() + "-" + ssrc;
        }

        /** Sends this source's frame for time {@code nowMillis}; false once it has nothing more to send. */
        boolean step(long nowMillis) {
            if (stopped) return false;
            if (nowMillis < speaker.startMillis()) return true;
            if (!started) {
                started = true;
                ObjectNode start = JSON.createObjectNode();
                start.put("tag", tag);
                ObjectNode format = start.putObject("mediaFormat");
                format.put("encoding", "opus");
                format.put("sampleRate", 48_000);
                format.put("channels", 2);
                ObjectNode custom = start.putObject("customParameters");
                custom.put("endpointId", speaker.endpointId());
                custom.put("displayName", speaker.name());
                sendEvent("start", start);
            }
            short[] audio = speaker.audio16k();
            if (offset + FRAME_16K > audio.length) {
                ObjectNode stop = JSON.createObjectNode();
                stop.put("tag", tag);
                sendEvent("stop", stop);
                stopped = true;
                return false;
            }
            short[] stereo = new short[2 * FRAME_16K];
            for (int i = 0; i < FRAME_16K; i++) {
                stereo[2 * i] = audio[offset + i];
                stereo[2 * i + 1] = audio[offset + i];
            }
            byte[] payload = encoder.encode(stereo, 0, FRAME_16K);
            ObjectNode media = JSON.createObjectNode();
            media.put("tag", tag);
            media.put("chunk", Long.toString(seq));
            media.put("timestamp", Long.toString(seq * FRAME_48K_TICKS));
            media.put("payload", Base64.getEncoder().encodeToString(payload));
            sendEvent("media", media);
            seq++;
            offset += FRAME_16K;
            return true;
        }

        void close() {
            encoder.close();
        }
    }

    private long sequenceNumber;

    private void sendEvent(String event, ObjectNode body) {
        ObjectNode msg = JSON.createObjectNode();
        msg.put("event", event);
        msg.put("sequenceNumber", Long.toString(++sequenceNumber));
        msg.set(event, body);
        // One send at a time: the JDK WebSocket refuses overlapping sends.
        socket.sendText(msg.toString(), true).join();
    }

    /** Ends the session as the bridge does when transcription stops, and closes the socket. */
    @Override
    public void close() {
        try {
            if (!socket.isOutputClosed()) {
                socket.sendText("{\"event\":\"session-end\"}", true).join();
                socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(5, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            socket.abort();
        } finally {
            clock.shutdownNow();
            httpPool.shutdownNow();
        }
    }
}
