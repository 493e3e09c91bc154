package org.streamasr.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.streamasr.captions.client.CaptionsClient;
import org.streamasr.server.AsrServer;
import org.streamasr.testing.ExternalTools;
import org.streamasr.testing.Http;
import org.streamasr.testing.TestServers;
import org.streamasr.testing.RequiredTools;

/** What the SIP end-to-end tests share: a server with the SIP gateway and sphinx, LibriVox clips, a captions watcher. */
final class SipCallers {
    static final Path DIR = Path.of("/usr/share/pocketsphinx/test/data/librivox");
    static final String CLIP = "sense_and_sensibility_01_austen_64kb-0890";
    static final String CLIP_2 = "sense_and_sensibility_01_austen_64kb-0930";

    private SipCallers() {
    }

    static void requireTools(String... tools) {
        for (String t : tools) ExternalTools.require(t);
        RequiredTools.file(Path.of("/usr/share/pocketsphinx/model/en-us"), "pocketsphinx-en-us");
        RequiredTools.file(DIR.resolve(CLIP + ".wav"), "pocketsphinx-testdata");
    }

    /** The server with SIP on a free port, RTP on ephemeral ports, sphinx, and patience for a shared machine. */
    static AsrServer server() throws Exception {
        return AsrServer.start(TestServers.config(Map.of("asr.engine.name", "sphinx", "asr.engine.stream-buffer", "60s",
                "asr.calls.finish-timeout", "120s", "asr.media.rtp.queue", "20s", "asr.media.audiosocket.enabled", false,
                "asr.sip.enabled", true, "asr.sip.port", 0, "asr.sip.bind", "127.0.0.1")));
    }

    /** The reference words of a clip, from the test data's transcription file. */
    static String truth(String clip) throws Exception {
        for (String l : Files.readAllLines(DIR.resolve("transcription"))) {
            if (l.contains("(" + clip + ")")) return l.replaceAll("</?s>", "").replaceAll("\\(.*\\)", "").trim();
        }
        throw new AssertionError("no transcription for " + clip);
    }

    /** Subscribes to the captions of the first call from {@code source} to appear in GET /v1/calls, until it ends. */
    static final class CaptionWatch implements AutoCloseable {
        final List<JsonNode> events = new CopyOnWriteArrayList<>();
        final String callId;
        final JsonNode listed;
        private final CaptionsClient client;

        CaptionWatch(Http http, String source, Duration timeout) throws Exception {
            long deadline = System.nanoTime() + timeout.toNanos();
            JsonNode found = null;
            while (found == null) {
                if (System.nanoTime() > deadline) throw new AssertionError("no " + source + " call appeared in /v1/calls");
                Http.Reply calls = http.get("/v1/calls");
                assertEquals(200, calls.status(), calls.body());
                for (JsonNode c : calls.json().path("calls").isArray() ? calls.json().path("calls") : calls.json()) {
                    if (source.equals(c.path("source").asText())) found = c;
                }
                if (found == null) Thread.sleep(20);
            }
            listed = found;
            callId = found.path("callId").asText();
            client = CaptionsClient.connect(URI.create(found.path("captionsUrl").asText()), events::add);
        }

        /** Waits for the call's end (the captions socket closes after its "ended" event). */
        String awaitEnd(Duration timeout) throws Exception {
            return client.closed().get(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        }

        /** The final texts of one participant, in order. */
        String finalsOf(String participantId) {
            List<String> out = new ArrayList<>();
            for (JsonNode e : events) {
                if ("final".equals(e.path("type").asText()) && participantId.equals(e.path("participant").asText())) {
                    out.add(e.path("text").asText());
                }
            }
            return String.join(" ", out).trim();
        }

        /** The name captions gave a participant. */
        String nameOf(String participantId) {
            for (JsonNode e : events) if (participantId.equals(e.path("participant").asText())) return e.path("name").asText();
            return null;
        }

        @Override
        public void close() {
            client.close();
        }
    }
}
