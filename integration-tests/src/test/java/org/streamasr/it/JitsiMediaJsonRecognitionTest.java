package org.streamasr.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.streamasr.media.CallHandle;
import org.streamasr.media.CallSpec;
import org.streamasr.media.ParticipantAudio;
import org.streamasr.media.ParticipantSpec;
import org.streamasr.media.PcmFrame;
import org.streamasr.media.TranscriptListener;
import org.streamasr.media.adapter.TestAudio;
import org.streamasr.media.adapter.WsTestClient;
import org.streamasr.media.jitsi.MediaJsonCapture;
import org.streamasr.media.opus.OpusFrameDecoder;
import org.streamasr.server.AsrServer;
import org.streamasr.testing.SharedFixtures;
import org.streamasr.testing.TestServers;
import org.streamasr.testing.WordErrorRate;

/**
 * A Jitsi Videobridge's MEDIAJSON stream, replayed at real-time pace into a real server on the sphinx engine: the
 * bridge must get back, on its own socket, {@code transcription-result} finals per participant carrying the words
 * that were spoken. The developer capture (46 s, two speakers reading an encyclopedia text about helium) runs when
 * present (path from {@code shared.dir} / {@code ASR_SHARED_DIR}), each speaker's transcript compared by WER with
 * sphinx's transcript of the same packets decoded directly; a generated meeting of LibriVox speech always runs.
 */
class JitsiMediaJsonRecognitionTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, Object> UNHURRIED = Map.of("asr.engine.name", "sphinx", "asr.engine.stream-buffer", "300s",
            "asr.calls.finish-timeout", "300s");

    /**
     * Each speaker's transcript through the adapter (socket, MEDIAJSON session, jitter and gap handling, decoder) is
     * compared with sphinx's transcript of the same packets decoded directly with libopus and laid out by their RTP
     * timestamps (silence where the speaker sent nothing), pushed into a call of the same server: only the adapter
     * differs, and its transcript must be within a small WER of the direct one.
     */
    @Test
    void developerCaptureIsRecognised() throws Exception {
        MediaJsonCapture capture = MediaJsonCapture.read(SharedFixtures.require("fixtures/jitsi/mediajson-two-speakers.jsonl"));
        Map<String, String> finals = replay(capture, "helium-capture");
        Map<String, String> direct = transcribeDecodedDirectly(capture);
        System.out.println("sphinx on the Jitsi capture through the adapter: " + finals);
        System.out.println("sphinx on the same packets decoded directly:     " + direct);
        assertEquals(2, finals.size(), "both speakers were transcribed: " + finals);
        assertEquals(finals.keySet(), direct.keySet());
        for (String speaker : direct.keySet()) {
            String reference = direct.get(speaker);
            String adapter = finals.get(speaker);
            double wer = WordErrorRate.score(reference, adapter).rate();
            System.out.printf("  %s: WER of the adapter's transcript against the direct decode's: %.3f (%d words)%n",
                    speaker, wer, WordErrorRate.words(reference).size());
            assertTrue(WordErrorRate.words(reference).size() >= 10, speaker + ": the direct decode was transcribed: " + reference);
            // the adapter's audio is bit-exact with the direct decode (MediaJsonReplayTest); only silences longer
            // than its cap are shortened, and sphinx's endpointing may cut an utterance elsewhere around them
            assertTrue(wer <= 0.15, speaker + ": WER " + wer + "\n  adapter: " + adapter + "\n  direct:  " + reference);
        }
        // The passage is Wikipedia's opening on helium. Sphinx misses "helium" itself but gets these phrases of the
        // second reader.
        String b = finals.getOrDefault("bbbbbbbb", "");
        for (String phrase : List.of("element", "atomic number", "noble gas", "periodic table", "melting points")) {
            assertTrue(b.contains(phrase), "'" + phrase + "' recognised in " + b);
        }
    }

    /**
     * Every source's packets decoded in order with a plain libopus decoder to 16 kHz, placed by RTP timestamp (gaps
     * silent), pushed as 20 ms frames into one call of a fresh server; returns each endpoint id's finals.
     */
    private static Map<String, String> transcribeDecodedDirectly(MediaJsonCapture capture) throws Exception {
        Map<String, StringBuilder> text = new java.util.concurrent.ConcurrentHashMap<>();
        try (AsrServer server = AsrServer.start(TestServers.config(UNHURRIED))) {
            TranscriptListener listener = e -> {
                if (e.isFinal() && !e.text().isBlank()) {
                    text.computeIfAbsent(e.participantId(), k -> new StringBuilder()).append(' ').append(e.text());
                }
            };
            try (CallHandle call = server.calls().openCall(CallSpec.of("helium-direct", "test"), listener)) {
                for (MediaJsonCapture.Source s : capture.sources().values()) {
                    String endpoint = s.tag().substring(0, s.tag().lastIndexOf('-'));
                    ParticipantAudio p = call.openParticipant(ParticipantSpec.of(endpoint));
                    short[] pcm = decodeByTimestamp(s, capture.payloads(s.tag()));
                    for (int off = 0; off < pcm.length; off += 320) {
                        p.push(PcmFrame.audio(java.util.Arrays.copyOfRange(pcm, off, Math.min(pcm.length, off + 320)), off));
                    }
                    p.close();
                }
            }
            server.calls().find("helium-direct").ifPresent(c -> c.ended().join());
        }
        Map<String, String> out = new TreeMap<>();
        text.forEach((k, v) -> out.put(k, v.toString().trim()));
        return out;
    }

    /** The source's packets decoded in order at 16 kHz, each at its RTP timestamp (48 kHz clock) from the first. */
    private static short[] decodeByTimestamp(MediaJsonCapture.Source s, List<byte[]> payloads) {
        long t0 = s.timestamps().get(0);
        long last = s.timestamps().get(s.timestamps().size() - 1);
        short[] out = new short[(int) ((last - t0) / 3) + 16_000];
        int end = 0;
        try (OpusFrameDecoder d = new OpusFrameDecoder(16_000)) {
            short[] buf = new short[5_760];
            for (int i = 0; i < payloads.size(); i++) {
                int at = (int) ((s.timestamps().get(i) - t0) / 3);
                int n = d.decode(payloads.get(i), 0, payloads.get(i).length, buf);
                assertTrue(n > 0, "packet " + i + " of " + s.tag() + " decodes");
                System.arraycopy(buf, 0, out, at, Math.min(n, out.length - at));
                end = Math.max(end, at + n);
            }
        }
        return java.util.Arrays.copyOf(out, end);
    }

    @Test
    void generatedMeetingIsRecognised() throws Exception {
        MediaJsonCapture capture = MediaJsonCapture.generate(List.of(
                new MediaJsonCapture.Speaker("alice", 305123557L, TestAudio.clip("sense_and_sensibility_01_austen_64kb-0890.wav"),
                        0, List.of(60), 120, 25),
                new MediaJsonCapture.Speaker("bob", 2272476824L, TestAudio.clip("sense_and_sensibility_01_austen_64kb-0930.wav"),
                        6500, List.of(), -1, 0)));
        Map<String, String> finals = replay(capture, "librivox-meeting");
        System.out.println("sphinx on the generated meeting: " + finals);
        // Words pocketsphinx gets right on these clips (DemoCallEndToEndTest relies on the same).
        assertTrue(finals.getOrDefault("alice", "").contains("cold hearted"), "alice: " + finals);
        assertTrue(finals.getOrDefault("bob", "").contains("he might even have been made"), "bob: " + finals);
    }

    /** Replays over a real socket; returns each participant id's finals as the bridge received them, in order. */
    private static Map<String, String> replay(MediaJsonCapture capture, String callId) throws Exception {
        Map<String, String> finals = new TreeMap<>();
        try (AsrServer server = AsrServer.start(TestServers.config(UNHURRIED))) {
            URI bridge = URI.create(server.baseUri().toString().replaceFirst("^http", "ws") + "/mediajson/" + callId + "?lang=en-US");
            try (WsTestClient jvb = WsTestClient.connect(bridge)) {
                capture.replay(jvb);
                jvb.sendText("{\"event\":\"session-end\"}");
                jvb.awaitClose(java.time.Duration.ofMinutes(5));
                Map<String, StringBuilder> text = new LinkedHashMap<>();
                for (String t : jvb.texts()) {
                    JsonNode r = JSON.readTree(t);
                    assertEquals("transcription-result", r.path("type").asText(), t);
                    assertEquals("en-US", r.path("language").asText(), t);
                    if (r.path("is_interim").asBoolean()) continue;
                    text.computeIfAbsent(r.path("participant").path("id").asText(), k -> new StringBuilder())
                            .append(' ').append(r.path("transcript").path(0).path("text").asText());
                }
                text.forEach((k, v) -> finals.put(k, v.toString().trim()));
            }
        }
        return finals;
    }
}
