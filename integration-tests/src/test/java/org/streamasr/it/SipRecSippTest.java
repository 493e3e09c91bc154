package org.streamasr.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streamasr.server.AsrServer;
import org.streamasr.testing.ExternalTools;
import org.streamasr.testing.Http;
import org.streamasr.testing.WordErrorRate;

/**
 * An SBC records a call to the plugin: sipp runs a SIPREC scenario (RFC 7866: multipart INVITE with SDP for the two
 * sides of the call and RFC 7865 metadata naming them; Require: siprec; +sip.src), plays a LibriVox clip as G.722
 * RTP from a pcap on the first stream while a Java sender plays another clip on the second (sipp plays a pcap to
 * the first m= line only; the scenario logs the second stream's port from the 200), updates the metadata with a
 * re-INVITE, and hangs up. The captions carry each side's words under the participant the metadata names for that
 * stream, and neither side's words under the other.
 */
class SipRecSippTest {
    @TempDir
    Path dir;
    AsrServer server;
    Http http;

    @BeforeEach
    void start() throws Exception {
        SipCallers.requireTools("sipp", "ffmpeg");
        server = SipCallers.server();
        http = new Http(server.baseUri());
    }

    @AfterEach
    void stop() {
        if (http != null) http.close();
        if (server != null) server.close();
    }

    @Test
    void siprecSessionIsTranscribedPerRecordedParticipant() throws Exception {
        Path pcap = dir.resolve("alice.pcap");
        G722Pcap.write(g722(SipCallers.CLIP), 9, 0x51b2ec, pcap);
        byte[] bobAudio = g722(SipCallers.CLIP_2);
        Path scenario = dir.resolve("siprec.xml");
        Files.writeString(scenario, scenario(pcap));

        int sippPort = freeUdpPort();
        int mediaPort = freeUdpPort();
        Path log = dir.resolve("sipp.log");
        Path actions = dir.resolve("actions.log");
        Process sipp = ExternalTools.start(log, "sipp", "-sf", scenario.toString(), "-m", "1", "-i", "127.0.0.1",
                "-p", String.valueOf(sippPort), "-mi", "127.0.0.1", "-mp", String.valueOf(mediaPort), "-t", "u1",
                "-timeout", "90", "-timeout_error", "-nostdin", "-trace_err", "-error_file", dir.resolve("errors.log").toString(),
                "-trace_logs", "-log_file", actions.toString(), "127.0.0.1:" + server.sipPort());
        String alice = "sip:alice@atlanta.example.com";
        String bob = "sip:bob@biloxi.example.com";
        String text;
        String bobText;
        try (SipCallers.CaptionWatch watch = new SipCallers.CaptionWatch(http, "siprec", Duration.ofSeconds(30));
             G722RtpSender bobSender = new G722RtpSender(bobAudio, 9, 0x0b0b0b, new InetSocketAddress(
                     InetAddress.getLoopbackAddress(), secondStreamPort(actions)))) {
            assertEquals("true", watch.listed.path("attributes").path("siprec").asText());
            assertTrue(bobSender.awaitDone(30), "Bob's clip sent");
            // the re-INVITE's metadata renames Alice while the call runs
            RecordingWait.until(Duration.ofSeconds(30), "the renamed participant in /v1/calls/{id}", () -> {
                Http.Reply r = http.get("/v1/calls/" + watch.callId);
                return r.status() == 200 && r.body().contains("\"Alice Liddell\"");
            });
            String closed = watch.awaitEnd(Duration.ofSeconds(120));
            assertTrue(closed.startsWith("1000"), "captions closed normally: " + closed);
            text = watch.finalsOf(alice);
            bobText = watch.finalsOf(bob);
            assertEquals("Alice Atlanta", watch.nameOf(alice), "the metadata names the first stream's speaker");
            assertEquals("Bob Biloxi", watch.nameOf(bob), "the metadata names the second stream's speaker");
            RecordingWait.until(Duration.ofSeconds(20), "call gone from /v1/calls", () -> http.get("/v1/calls/" + watch.callId).status() == 404);
        } finally {
            if (!sipp.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) sipp.destroyForcibly();
        }
        String out = Files.readString(log) + (Files.exists(dir.resolve("errors.log")) ? Files.readString(dir.resolve("errors.log")) : "");
        assertEquals(0, sipp.exitValue(), "sipp's scenario (INVITE 200, re-INVITE 200, BYE 200) passed:\n" + out);
        String truth = SipCallers.truth(SipCallers.CLIP);
        String bobTruth = SipCallers.truth(SipCallers.CLIP_2);
        double wer = WordErrorRate.score(truth, text).rate();
        double bobWer = WordErrorRate.score(bobTruth, bobText).rate();
        System.out.printf(Locale.ROOT, "sipp SIPREC G.722: Alice \"%s\" (WER %.2f), Bob \"%s\" (WER %.2f); media drops %s%n",
                text, wer, bobText, bobWer, server.mediaMetrics().drops());
        assertTrue(text.contains("rather selfish"), "Alice's recognised words: " + text);
        assertTrue(wer <= 0.6, "Alice's word error rate " + wer + ": " + text);
        assertTrue(bobText.contains("might even have been"), "Bob's recognised words: " + bobText);
        // sphinx scores 0.21 to 0.75 per LibriVox clip on clean audio; this short clip is near the top of that range
        assertTrue(bobWer <= 0.75, "Bob's word error rate " + bobWer + ": " + bobText);
        // each stream is its own participant: neither clip's words turn up under the other speaker
        assertTrue(!bobText.contains("selfish") && !bobText.contains("cold hearted"), "Alice's words under Bob: " + bobText);
        assertTrue(!text.contains("amiable") && !text.contains("himself"), "Bob's words under Alice: " + text);
    }

    /** A LibriVox clip (with 1 s of silence after it) as G.722 at 16 kHz, as an SBC would forward it. */
    private byte[] g722(String clip) throws Exception {
        Path out = dir.resolve(clip + ".g722");
        ExternalTools.run(60, "ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-i",
                SipCallers.DIR.resolve(clip + ".wav").toString(), "-af", "apad=pad_dur=1", "-ar", "16000",
                "-ac", "1", "-c:a", "g722", "-f", "g722", out.toString());
        return Files.readAllBytes(out);
    }

    /** The gateway's port for the second m= line, as the scenario logs it on the 200 to the INVITE. */
    private static int secondStreamPort(Path actions) throws Exception {
        int[] port = {-1};
        RecordingWait.until(Duration.ofSeconds(30), "sipp logs the second stream's port", () -> {
            if (!Files.exists(actions)) return false;
            for (String line : Files.readAllLines(actions)) {
                int at = line.indexOf("second-stream-port=");
                if (at >= 0) port[0] = Integer.parseInt(line.substring(at + "second-stream-port=".length()).trim());
            }
            return port[0] > 0;
        });
        return port[0];
    }

    private static int freeUdpPort() throws Exception {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            return s.getLocalPort();
        }
    }

    private static String metadata(String aliceName) {
        return """
                <?xml version="1.0" encoding="UTF-8"?>
                <recording xmlns='urn:ietf:params:xml:ns:recording:1'>
                  <datamode>complete</datamode>
                  <session session_id="S1"><sipSessionID>[call_id]</sipSessionID></session>
                  <participant participant_id="P1"><nameID aor="sip:alice@atlanta.example.com"><name>%s</name></nameID></participant>
                  <participant participant_id="P2"><nameID aor="sip:bob@biloxi.example.com"><name>Bob Biloxi</name></nameID></participant>
                  <stream stream_id="ST1" session_id="S1"><label>1</label></stream>
                  <stream stream_id="ST2" session_id="S1"><label>2</label></stream>
                  <participantstreamassoc participant_id="P1"><send>ST1</send><recv>ST2</recv></participantstreamassoc>
                  <participantstreamassoc participant_id="P2"><send>ST2</send><recv>ST1</recv></participantstreamassoc>
                </recording>
                """.formatted(aliceName);
    }

    private static String body(String aliceName) {
        return """
                --foobar
                Content-Type: application/sdp

                v=0
                o=SRC 1 1 IN IP4 [local_ip]
                s=-
                c=IN IP4 [media_ip]
                t=0 0
                m=audio [media_port] RTP/AVP 9
                a=rtpmap:9 G722/8000
                a=label:1
                a=sendonly
                m=audio [media_port+2] RTP/AVP 9
                a=rtpmap:9 G722/8000
                a=label:2
                a=sendonly

                --foobar
                Content-Type: application/rs-metadata+xml
                Content-Disposition: recording-session

                %s
                --foobar--
                """.formatted(metadata(aliceName));
    }

    private static String request(String method, int cseq, boolean withBody, String aliceName) {
        String head = method + " sip:recorder@[remote_ip]:[remote_port] SIP/2.0\n"
                + "Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]\n"
                + "From: \"SBC\" <sip:src@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]\n"
                + "To: <sip:recorder@[remote_ip]:[remote_port]>" + (cseq > 1 || !method.equals("INVITE") ? "[peer_tag_param]" : "") + "\n"
                + "Call-ID: [call_id]\n"
                + "CSeq: " + cseq + " " + method + "\n"
                + "Contact: <sip:src@[local_ip]:[local_port]>;+sip.src\n"
                + "Max-Forwards: 70\n";
        if (!withBody) return head + "Content-Length: 0\n\n";
        return head + "Require: siprec\nSupported: siprec\nContent-Type: multipart/mixed;boundary=foobar\n"
                + "Content-Length: [len]\n\n" + body(aliceName);
    }

    private static String scenario(Path pcap) {
        return "<?xml version=\"1.0\" encoding=\"UTF-8\" ?>\n<scenario name=\"siprec\">\n"
                + "<send retrans=\"500\"><![CDATA[\n" + request("INVITE", 1, true, "Alice Atlanta") + "]]></send>\n"
                + "<recv response=\"100\" optional=\"true\"/>\n<recv response=\"180\" optional=\"true\"/>\n"
                // the answer's second m= line (greedy: the last of the two) is where Bob's stream goes
                + "<recv response=\"200\" rtd=\"true\"><action>"
                + "<ereg regexp=\"m=audio [0-9]+[[:print:][:space:]]*m=audio ([0-9]+)\" search_in=\"body\" check_it=\"true\" assign_to=\"all,port2\"/>"
                + "<log message=\"second-stream-port=[$port2]\"/><log message=\"answer media: [$all]\"/></action></recv>\n"
                + "<send><![CDATA[\n" + request("ACK", 1, false, null) + "]]></send>\n"
                + "<nop><action><exec play_pcap_audio=\"" + pcap + "\"/></action></nop>\n"
                + "<pause milliseconds=\"7000\"/>\n"
                // metadata update once the clip has played: same SDP, Alice's name changes; answered 200 with the same SDP
                + "<send retrans=\"500\"><![CDATA[\n" + request("INVITE", 2, true, "Alice Liddell") + "]]></send>\n"
                + "<recv response=\"100\" optional=\"true\"/>\n<recv response=\"200\"/>\n"
                + "<send><![CDATA[\n" + request("ACK", 2, false, null) + "]]></send>\n"
                + "<pause milliseconds=\"1500\"/>\n"
                + "<send retrans=\"500\"><![CDATA[\n" + request("BYE", 3, false, null) + "]]></send>\n"
                + "<recv response=\"200\" crlf=\"true\"/>\n</scenario>\n";
    }
}
