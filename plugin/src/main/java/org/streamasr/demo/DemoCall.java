package org.streamasr.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.streamasr.runtime.NamedThreads;

/**
 * One demo call end to end against a running server: a bridge (MEDIAJSON, stereo Opus) sends the participants'
 * speech, an operator looks the call up ({@code GET /v1/calls/{id}}) for its captionsUrl, and a caption subscriber
 * receives the live captions until the call ends.
 */
public final class DemoCall {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * What the subscriber received: finals per participant display name, counts, how the stream ended; and the
     * participant names the bridge's {@code transcription-result} messages carried.
     */
    public record Result(String callId, Map<String, String> transcripts, int partials, int finals,
                         int resultsToBridge, java.util.Set<String> namesToBridge, String closeReason) {
    }

    private DemoCall() {
    }

    /**
     * @param base    the server's http:// base URI
     * @param apiKey  key for /v1/calls, or null
     * @param speed   1.0 for real time
     * @param onEvent every caption event, as it arrives
     */
    public static Result run(URI base, String apiKey, String callId, List<DemoConversation.Participant> participants,
                             double speed, Consumer<JsonNode> onEvent) throws Exception {
        URI bridge = URI.create(base.toString().replaceFirst("^http", "ws") + "/mediajson/" + callId);
        List<MediaJsonSender.Speaker> speakers = new ArrayList<>();
        for (DemoConversation.Participant p : participants) {
            speakers.add(new MediaJsonSender.Speaker(p.endpointId(), p.name(), p.track(), 0));
        }
        try (MediaJsonSender sender = MediaJsonSender.connect(bridge)) {
            URI captionsUrl = captionsUrl(base, apiKey, callId);
            Map<String, StringBuilder> text = new LinkedHashMap<>();
            try (CaptionsClient captions = CaptionsClient.connect(captionsUrl, onEvent)) {
                long audioMillis = participants.stream().mapToLong(p -> p.track().length / 16).max().orElse(0);
                sender.send(speakers, speed).get((long) (audioMillis / speed) + 30_000, TimeUnit.MILLISECONDS);
                sender.close();
                // The engine may still be working through buffered audio: the call ends once it delivered the finals.
                String closed = captions.closed().get(330, TimeUnit.SECONDS);
                for (JsonNode f : captions.finals()) {
                    String who = f.path("name").asText(f.path("participant").asText());
                    String t = f.path("text").asText();
                    if (t.isBlank()) continue;
                    text.computeIfAbsent(who, k -> new StringBuilder());
                    StringBuilder sb = text.get(who);
                    sb.append(sb.length() == 0 ? "" : " ").append(t);
                }
                Map<String, String> out = new LinkedHashMap<>();
                text.forEach((k, v) -> out.put(k, v.toString()));
                return new Result(callId, out, captions.partialCount(), captions.finals().size(),
                        sender.resultsReceived(), sender.resultNames(), closed);
            }
        }
    }

    /** Asks the calls API for the call's captionsUrl; the bridge's connection opens the call, so wait for it. */
    private static URI captionsUrl(URI base, String apiKey, String callId) throws Exception {
        ExecutorService pool = Executors.newSingleThreadExecutor(NamedThreads.single("demo-http", true));
        try {
            HttpClient http = HttpClient.newBuilder().executor(pool).build();
            HttpRequest.Builder req = HttpRequest.newBuilder(base.resolve("/v1/calls/" + callId))
                    .timeout(Duration.ofSeconds(10));
            if (apiKey != null) req.header("Authorization", "Bearer " + apiKey);
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (true) {
                HttpResponse<String> r = http.send(req.build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) return URI.create(JSON.readTree(r.body()).get("captionsUrl").asText());
                if (r.statusCode() != 404 || System.nanoTime() > deadline) {
                    throw new IllegalStateException("GET /v1/calls/" + callId + " answered " + r.statusCode() + ": "
                            + r.body());
                }
                Thread.sleep(20);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
