package org.streamasr.tools.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.LongConsumer;
import java.util.function.LongUnaryOperator;

/**
 * One load-test call over real sockets: a bridge's MEDIAJSON WebSocket sending one participant's Opus packets, paced
 * by the load test, and a caption subscriber on the call's captions WebSocket. Each packet's send time is kept (a
 * ring of the last {@value #RING} packets); when a partial arrives, its latency is the time since the send of the
 * packet that completed the audio it was made from (see {@link LoadTest} for which audio that is).
 */
final class MediaJsonLoadCall implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int RING = 4096;               // 82 s of 20 ms packets
    /** Packets handed to the socket and not yet sent; past this the sender is behind and drops (counted). */
    private static final int MAX_BACKLOG = 250;

    private final String callId;
    private final String tag;
    private final OpusLoop speech;
    private final long firstPacket;
    private final LongUnaryOperator audioEndOfPartial;
    private final LongConsumer latencies;
    private final WebSocket media;
    private final AtomicLongArray sentNanos = new AtomicLongArray(RING);
    private final AtomicLong packetsSent = new AtomicLong();
    private final AtomicInteger backlog = new AtomicInteger();
    private final AtomicLong senderDrops = new AtomicLong();
    private final AtomicLong unmatched = new AtomicLong();
    private final AtomicInteger partials = new AtomicInteger();
    private final Object sendLock = new Object();
    private CompletableFuture<WebSocket> sending;
    private long packetNo;
    private long eventNo;
    private volatile WebSocket captions;
    private volatile boolean measuring;

    private MediaJsonLoadCall(String callId, OpusLoop speech, long firstPacket, LongUnaryOperator audioEndOfPartial,
                              LongConsumer latencies, WebSocket media) {
        this.callId = callId;
        this.tag = "speaker-" + callId;
        this.speech = speech;
        this.firstPacket = firstPacket;
        this.audioEndOfPartial = audioEndOfPartial;
        this.latencies = latencies;
        this.media = media;
        this.sending = CompletableFuture.completedFuture(media);
        send("start", "{\"tag\":\"" + tag + "\",\"mediaFormat\":{\"encoding\":\"opus\",\"sampleRate\":48000,"
                + "\"channels\":2},\"customParameters\":{\"endpointId\":\"" + tag + "\"}}");
    }

    /** Connects the bridge's socket (which opens the call), then sends the participant's start event. */
    static CompletableFuture<MediaJsonLoadCall> open(String callId, OpusLoop speech, long firstPacket,
                                                     LongUnaryOperator audioEndOfPartial, LongConsumer latencies,
                                                     HttpClient client, URI base) {
        URI bridge = URI.create(base.toString().replaceFirst("^http", "ws") + "/mediajson/" + callId);
        return client.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(60)).buildAsync(bridge, new Discarding())
                .thenApply(ws -> new MediaJsonLoadCall(callId, speech, firstPacket, audioEndOfPartial, latencies, ws));
    }

    String callId() {
        return callId;
    }

    /** Subscribes to the call's captions (the captionsUrl the calls API gives for it). */
    CompletableFuture<Void> subscribe(HttpClient client, URI captionsUrl) {
        return client.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(60))
                .buildAsync(captionsUrl, new CaptionListener()).thenAccept(ws -> captions = ws);
    }

    /** Latencies count only while measuring (after the warm-up). */
    void measuring(boolean value) {
        measuring = value;
    }

    /** Sends the next 20 ms packet (the pacer calls this every 20 ms); never blocks. */
    void sendNext() {
        long n;
        synchronized (sendLock) {
            n = packetNo++;
        }
        if (backlog.get() >= MAX_BACKLOG) {
            sentNanos.set((int) (n % RING), 0);
            senderDrops.incrementAndGet();
            return;
        }
        long chunk = n + 1;
        String body = "{\"tag\":\"" + tag + "\",\"chunk\":\"" + chunk + "\",\"timestamp\":\""
                + chunk * OpusLoop.FRAME_48K_TICKS + "\",\"payload\":\"" + speech.payload(firstPacket + n) + "\"}";
        backlog.incrementAndGet();
        send("media", body, n);
    }

    private void send(String event, String body) {
        send(event, body, -1);
    }

    /** Chains the send after the previous one (the JDK WebSocket takes one at a time); stamps media packets. */
    private void send(String event, String body, long packet) {
        String text;
        synchronized (sendLock) {
            text = "{\"event\":\"" + event + "\",\"sequenceNumber\":\"" + (++eventNo) + "\",\"" + event + "\":" + body
                    + "}";
            sending = sending.thenCompose(ws -> {
                if (packet >= 0) {
                    sentNanos.set((int) (packet % RING), System.nanoTime());
                    packetsSent.set(packet + 1);
                }
                return ws.sendText(text, true);
            }).whenComplete((ws, error) -> {
                if (packet >= 0) backlog.decrementAndGet();
            }).exceptionally(error -> media);
        }
    }

    /** Packets the sender could not hand over in time (its socket was behind by {@value #MAX_BACKLOG}). */
    long senderDrops() {
        return senderDrops.get();
    }

    /** Partials whose packet was no longer (or not yet) in the ring of send times. */
    long unmatched() {
        return unmatched.get();
    }

    int partials() {
        return partials.get();
    }

    private void onCaption(String text) {
        JsonNode e;
        try {
            e = JSON.readTree(text);
        } catch (IOException ex) {
            return;
        }
        if (!"partial".equals(e.path("type").asText()) || !measuring) return;
        long receivedNanos = System.nanoTime();
        partials.incrementAndGet();
        long audioEnd = audioEndOfPartial.applyAsLong(e.path("endMs").asLong());
        // Packet p carries media time [20p, 20p + 20): the audio up to audioEnd is complete with packet p.
        long packet = (audioEnd + 19) / 20 - 1;
        long sent = packetsSent.get();
        long sentAt = audioEnd <= 0 || packet >= sent || packet < sent - RING ? 0 : sentNanos.get((int) (packet % RING));
        if (sentAt == 0) {
            unmatched.incrementAndGet();
            return;
        }
        latencies.accept(receivedNanos - sentAt);
    }

    /** Ends the participant and the session as the bridge does, and closes both sockets. */
    @Override
    public void close() {
        try {
            send("stop", "{\"tag\":\"" + tag + "\"}");
            CompletableFuture<WebSocket> last;
            synchronized (sendLock) {
                last = sending.thenCompose(ws -> ws.sendText("{\"event\":\"session-end\"}", true))
                        .thenCompose(ws -> ws.sendClose(WebSocket.NORMAL_CLOSURE, "load test done"));
            }
            last.get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            media.abort();
        }
        WebSocket c = captions;
        if (c != null && !c.isOutputClosed()) c.sendClose(WebSocket.NORMAL_CLOSURE, "load test done");
    }

    /** The bridge's side reads what the server sends back (transcription results) and drops it. */
    private static final class Discarding implements WebSocket.Listener {
        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            ws.request(1);
            return null;
        }
    }

    private final class CaptionListener implements WebSocket.Listener {
        private final StringBuilder pending = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            pending.append(data);
            if (last) {
                onCaption(pending.toString());
                pending.setLength(0);
            }
            ws.request(1);
            return null;
        }
    }
}
