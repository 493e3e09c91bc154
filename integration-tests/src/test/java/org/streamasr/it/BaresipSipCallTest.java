package org.streamasr.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.streamasr.server.AsrServer;
import org.streamasr.testing.ExternalTools;
import org.streamasr.testing.Http;
import org.streamasr.testing.WordErrorRate;

/**
 * A real SIP phone calls the plugin: baresip (its aufile module as the microphone, playing a LibriVox clip) dials the
 * gateway with Opus over plain RTP, with SDES-SRTP (mediaenc srtp-mand), and over SIP on TCP, hangs up when the file
 * ends (its own SIP trace shows the BYE going out and the gateway's 200 coming back), and the captions WebSocket
 * carries the recognised words under the caller's From identity.
 */
class BaresipSipCallTest {
    @TempDir
    Path home;
    AsrServer server;
    Http http;

    @BeforeEach
    void start() throws Exception {
        SipCallers.requireTools("baresip", "sox");
        server = SipCallers.server();
        http = new Http(server.baseUri());
    }

    @AfterEach
    void stop() {
        if (http != null) http.close();
        if (server != null) server.close();
    }

    @ParameterizedTest(name = "srtp={0} transport={1}")
    @CsvSource({"false, udp", "true, udp", "false, tcp"})
    void baresipCallIsTranscribedAndHangsUpCleanly(boolean srtp, String transport) throws Exception {
        // aufile feeds the codec at its own rate and channel count: 48 kHz stereo for Opus
        Path clip = home.resolve("clip.wav");
        ExternalTools.run(60, "sox", SipCallers.DIR.resolve(SipCallers.CLIP + ".wav").toString(), "-r", "48000", "-c", "2",
                clip.toString(), "pad", "0.5", "1");
        Path conf = Files.createDirectories(home.resolve(".baresip"));
        Files.writeString(conf.resolve("config"), String.join("\n",
                "poll_method epoll",
                "sip_listen 127.0.0.1:0",
                "audio_player aubridge,sink",
                "audio_source aufile," + clip,
                "module_path /usr/lib/baresip/modules",
                "module opus.so", "module aufile.so", "module aubridge.so", "module srtp.so",
                "module_app account.so", "module_app menu.so", ""));
        Files.writeString(conf.resolve("accounts"), "\"Alice Liddell\" <sip:alice@127.0.0.1>;regint=0;audio_codecs=opus/48000/2"
                + (srtp ? ";mediaenc=srtp-mand" : "") + "\n");
        Path log = home.resolve("baresip.log");
        ProcessBuilder pb = new ProcessBuilder("baresip", "-s", "-f", conf.toString(),
                "-e", "/dial sip:transcribe@127.0.0.1:" + server.sipPort() + ";transport=" + transport, "-t", "40")
                .redirectErrorStream(true).redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        pb.environment().put("HOME", home.toString());
        Process baresip = pb.start();
        String text;
        String byeLog;
        try (SipCallers.CaptionWatch watch = new SipCallers.CaptionWatch(http, "sip", Duration.ofSeconds(30))) {
            // while the call is live, /v1/calls names the caller
            String[] listedName = {null};
            RecordingWait.until(Duration.ofSeconds(10), "the caller listed in /v1/calls/{id}", () -> {
                listedName[0] = http.get("/v1/calls/" + watch.callId).json().path("participants").path(0).path("name").asText(null);
                return listedName[0] != null;
            });
            assertEquals("Alice Liddell", listedName[0]);
            String closed = watch.awaitEnd(Duration.ofSeconds(120));
            assertTrue(closed.startsWith("1000"), "captions closed normally: " + closed);
            String caller = "sip:alice@127.0.0.1";
            text = watch.finalsOf(caller);
            assertEquals("Alice Liddell", watch.nameOf(caller), "the caller's display name labels the captions");
            assertEquals("ended", watch.events.get(watch.events.size() - 1).path("type").asText());
            assertEquals("sip", watch.listed.path("source").asText());
            // both identities of the dialog are on the call: From named the caller's stream above, To is listed here
            assertEquals("\"Alice Liddell\" <sip:alice@127.0.0.1>", watch.listed.path("attributes").path("sip.from").asText());
            assertEquals("<sip:transcribe@127.0.0.1:" + server.sipPort() + ";transport=" + transport + ">",
                    watch.listed.path("attributes").path("sip.to").asText());
            assertEquals(transport, watch.listed.path("attributes").path("sip.transport").asText());
            // the call left /v1/calls
            RecordingWait.until(Duration.ofSeconds(20), "call gone from /v1/calls", () -> http.get("/v1/calls/" + watch.callId).status() == 404);
        } finally {
            baresip.destroy();
            baresip.waitFor(10, TimeUnit.SECONDS);
            byeLog = Files.readString(log);
        }
        String truth = SipCallers.truth(SipCallers.CLIP);
        double wer = WordErrorRate.score(truth, text).rate();
        System.out.printf("baresip %s: \"%s\" (WER %.2f vs \"%s\"); media drops %s%n", srtp ? "SRTP" : "RTP", text, wer,
                truth, server.mediaMetrics().drops());
        assertTrue(byeLog.contains(srtp ? "RTP/SAVP" : "RTP/AVP"), "the offer used " + (srtp ? "SRTP" : "plain RTP"));
        String gateway = "127.0.0.1:" + server.sipPort();
        List<SipTrace> trace = SipTrace.parse(byeLog);
        String wire = transport.toUpperCase(Locale.ROOT);
        assertTrue(trace.stream().anyMatch(t -> t.to().equals(gateway) && t.startLine().startsWith("INVITE ") && t.transport().equals(wire)),
                "baresip sent its INVITE over " + wire + ": " + trace);
        assertTrue(trace.stream().anyMatch(t -> t.to().equals(gateway) && t.startLine().startsWith("BYE ")),
                "baresip itself sent the BYE to the gateway: " + trace);
        assertTrue(trace.stream().anyMatch(t -> t.from().equals(gateway) && t.startLine().equals("SIP/2.0 200 OK")
                && t.cseq().endsWith(" BYE")), "the gateway answered the BYE 200: " + trace);
        assertTrue(trace.stream().noneMatch(t -> t.from().equals(gateway) && t.startLine().startsWith("BYE ")),
                "the gateway sent no BYE of its own: " + trace);
        assertTrue(text.contains("cold hearted"), "recognised words: " + text);
        assertTrue(wer <= 0.6, "word error rate " + wer + ": " + text);
        assertTrue(server.mediaMetrics().drops().getOrDefault("srtp", java.util.Map.of()).isEmpty(), "no SRTP packet refused");
    }

    /**
     * One message in baresip's SIP trace ({@code -s}): a line "TCP 127.0.0.1:A -> 127.0.0.1:B", then the message.
     */
    record SipTrace(String transport, String from, String to, String startLine, String cseq) {
        private static final Pattern ENTRY = Pattern.compile("(UDP|TCP|TLS) (\\S+) -> (\\S+)\\r?\\n([^\\r\\n]+)\\r?\\n((?:[^\\r\\n]+\\r?\\n)*)");

        static List<SipTrace> parse(String log) {
            List<SipTrace> out = new ArrayList<>();
            Matcher m = ENTRY.matcher(log);
            while (m.find()) {
                String cseq = m.group(5).lines().filter(l -> l.regionMatches(true, 0, "CSeq:", 0, 5))
                        .map(l -> l.substring(5).trim()).findFirst().orElse("");
                out.add(new SipTrace(m.group(1), m.group(2), m.group(3), m.group(4).trim(), cseq));
            }
            return out;
        }

        @Override
        public String toString() {
            return transport + " " + from + " -> " + to + ": " + startLine + " (" + cseq + ")";
        }
    }
}
