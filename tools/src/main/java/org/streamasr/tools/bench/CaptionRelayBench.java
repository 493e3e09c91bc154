package org.streamasr.tools.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.streamasr.engine.SpeechEngine;
import org.streamasr.media.CallHandle;
import org.streamasr.media.CallSpec;
import org.streamasr.media.ParticipantAudio;
import org.streamasr.media.ParticipantSpec;
import org.streamasr.media.PcmFrame;
import org.streamasr.media.TranscriptEvent;
import org.streamasr.media.TranscriptListener;
import org.streamasr.server.AsrServer;
import org.streamasr.server.ServerConfig;

/**
 * What the captions relay between cluster nodes adds: two nodes in this process on one NATS server, N calls on node
 * a fed real speech in real time, each with a captions WebSocket on node a (local) and one on node b (relayed). For
 * every caption event: the owner's publish (the call's transcript listener on a), its arrival on the local socket and
 * on the relayed socket, all on this process' clock. Reports p50/p99 of publish → local, publish → relayed, and the
 * difference (what the relay adds).
 */
public final class CaptionRelayBench {

    /** The figures of one run. */
    public record Result(int events, double localP50, double localP99, double relayedP50, double relayedP99,
                         double addedP50, double addedP99) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private final ServerConfig nodeA;
    private final ServerConfig nodeB;
    private final SpeechEngine engine;
    private final short[] speech;

    public CaptionRelayBench(ServerConfig nodeA, ServerConfig nodeB, SpeechEngine engine, short[] speech) {
        this.nodeA = nodeA;
        this.nodeB = nodeB;
        this.engine = engine;
        this.speech = speech;
    }

    public Result run(int calls, Duration measured) throws Exception {
        Map<String, Long> published = new ConcurrentHashMap<>();
        Map<String, Long> local = new ConcurrentHashMap<>();
        Map<String, Long> relayed = new ConcurrentHashMap<>();
        ScheduledExecutorService pacer = Executors.newSingleThreadScheduledExecutor(
            org.streamasr.runtime.NamedThreads.single("relay-bench-pacer", true));
        HttpClient client = HttpClient.newHttpClient();
        List<WebSocket> sockets = new ArrayList<>();
        try (AsrServer a = AsrServer.start(nodeA, engine, false); AsrServer b = AsrServer.start(nodeB, engine, false)) {
            List<CallHandle> handles = new ArrayList<>();
            List<ParticipantAudio> speakers = new ArrayList<>();
            for (int i = 0; i < calls; i++) {
                CallHandle call = a.calls().openCall(CallSpec.of("relay-bench-" + i, "bench"), new TranscriptListener() {
                    @Override
                    public void onTranscript(TranscriptEvent e) {
                        long now = System.nanoTime();
                        published.putIfAbsent(key(e.callId(), e.participantId(), e.utteranceId(), e.seq(),
                                e.isFinal()), now);
                    }
                });
                handles.add(call);
            }
            for (CallHandle call : handles) {
                String token = a.calls().find(call.callId()).orElseThrow().token();
                awaitListed(client, b.baseUri(), call.callId());
                String path = "/v1/calls/" + call.callId() + "/captions?token=" + token;
                sockets.add(subscribe(client, ws(a.baseUri()) + path, local));
                sockets.add(subscribe(client, ws(b.baseUri()) + path, relayed));
                speakers.add(call.openParticipant(new ParticipantSpec("speaker", "Speaker", null)));
            }
            int frame = 1600;   // 100 ms
            long[] at = new long[calls];
            for (int i = 0; i < calls; i++) at[i] = (long) i * speech.length / Math.max(1, calls) / frame * frame;
            ScheduledFuture<?> feeding = pacer.scheduleAtFixedRate(() -> {
                for (int i = 0; i < speakers.size(); i++) {
                    int off = (int) (at[i] % (speech.length - frame));
                    speakers.get(i).push(PcmFrame.audio(Arrays.copyOfRange(speech, off, off + frame), at[i]));
                    at[i] += frame;
                }
            }, 0, 100, TimeUnit.MILLISECONDS);
            Thread.sleep(measured.toMillis());   // a benchmark's measuring time
            feeding.cancel(false);
            for (ParticipantAudio p : speakers) p.close();
            for (CallHandle h : handles) h.close();
            Thread.sleep(2000);   // let the last events arrive on both sockets
        } finally {
            for (WebSocket w : sockets) w.abort();
            pacer.shutdownNow();
        }
        LatencyRecorder toLocal = new LatencyRecorder();
        LatencyRecorder toRelayed = new LatencyRecorder();
        LatencyRecorder added = new LatencyRecorder();
        for (Map.Entry<String, Long> e : published.entrySet()) {
            Long l = local.get(e.getKey());
            Long r = relayed.get(e.getKey());
            if (l == null || r == null) continue;   // a partial coalesced on one side
            toLocal.add(l - e.getValue());
            toRelayed.add(r - e.getValue());
            added.add(r - l);
        }
        return new Result(added.count(), toLocal.percentileMillis(50), toLocal.percentileMillis(99),
                toRelayed.percentileMillis(50), toRelayed.percentileMillis(99), added.percentileMillis(50),
                added.percentileMillis(99));
    }

    private static String key(String callId, String participant, String utterance, long seq, boolean isFinal) {
        return callId + "/" + participant + "/" + utterance + "/" + seq + "/" + isFinal;
    }

    private static String ws(URI base) {
        return base.toString().replaceFirst("^http", "ws");
    }

    /** Waits until node b's directory lists the call (published every 2 s). */
    private static void awaitListed(HttpClient client, URI base, String callId) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(base.resolve("/v1/calls/" + callId)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() == 200) return;
            Thread.sleep(100);
        }
        throw new IllegalStateException("node b does not list call " + callId + " (is NATS shared?)");
    }

    private static WebSocket subscribe(HttpClient client, String url, Map<String, Long> arrivals) throws Exception {
        return client.newWebSocketBuilder().buildAsync(URI.create(url), new WebSocket.Listener() {
            private final StringBuilder text = new StringBuilder();

            @Override
            public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                long now = System.nanoTime();
                text.append(data);
                if (last) {
                    try {
                        JsonNode e = JSON.readTree(text.toString());
                        String type = e.path("type").asText();
                        if (type.equals("partial") || type.equals("final")) {
                            arrivals.putIfAbsent(key(e.get("callId").asText(), e.get("participant").asText(),
                                    e.get("utteranceId").asText(), e.get("seq").asLong(), type.equals("final")), now);
                        }
                    } catch (Exception ignored) {
                        // not an event
                    }
                    text.setLength(0);
                }
                ws.request(1);
                return null;
            }
        }).get(10, TimeUnit.SECONDS);
    }
}
