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
 * RTP from a pcap on the first stream, updates the metadata with a re-INVITE, and hangs up. The captions carry the
 * words under the participant the metadata names for that stream.
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
        Path g722 = dir.resolve("clip.g722");
        ExternalTools.run(60, "ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-i",
                SipCallers.DIR.resolve(SipCallers.CLIP + ".wav").toString(), "-af", "apad=pad_dur=1", "-ar", "16000",
                "-ac", "1", "-c:a", "g722", "-f", "g722", g722.toString());
        Path pcap = dir.resolve("alice.pcap");
        G722Pcap.write(Files.readAllBytes(g722), 9, 0x51b2ec, pcap);
        Path scenario = dir.resolve("siprec.xml");
        Files.writeString(scenario, scenario(pcap));

        int sippPort = freeUdpPort();
        int mediaPort = freeUdpPort();
        Path log = dir.resolve("sipp.log");
        Process sipp = ExternalTools.start(log, "sipp", "-sf", scenario.toString(), "-m", "1", "-i", "127.0.0.1",
                "-p", String.valueOf(sippPort), "-mi", "127.0.0.1", "-mp", String.valueOf(mediaPort), "-t", "u1",
                "-timeout", "90", "-timeout_error", "-nostdin", "-trace_err", "-error_file", dir.resolve("errors.log").toString(),
                "127.0.0.1:" + server.sipPort());
        String alice = "sip:alice@atlanta.example.com";
        String bob = "sip:bob@biloxi.example.com";
        String text;
        try (SipCallers.CaptionWatch watch = new SipCallers.CaptionWatch(http, "siprec", Duration.ofSeconds(30))) {
            assertEquals("true", watch.listed.path("attributes").path("siprec").asText());
            // the re-INVITE's metadata renames Alice while the call runs
            RecordingWait.until(Duration.ofSeconds(30), "the renamed participant in /v1/calls/{id}", () -> {
                Http.Reply r = http.get("/v1/calls/" + watch.callId);
                return r.status() == 200 && r.body().contains("\"Alice Liddell\"");
            });
            String closed = watch.awaitEnd(Duration.ofSeconds(120));
            assertTrue(closed.startsWith("1000"), "captions closed normally: " + closed);
            text = watch.finalsOf(alice);
            assertEquals("Alice Atlanta", watch.nameOf(alice), "the metadata names the first stream's speaker");
            assertTrue(watch.events.stream().anyMatch(e -> e.path("type").asText().equals("final")
                    && e.path("participant").asText().equals(alice)), "Alice has finals");
            assertEquals("", watch.finalsOf(bob), "nothing was played on Bob's stream");
            RecordingWait.until(Duration.ofSeconds(20), "call gone from /v1/calls", () -> http.get("/v1/calls/" + watch.callId).status() == 404);
        } finally {
            if (!sipp.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) sipp.destroyForcibly();
        }
        String out = Files.readString(log) + (Files.exists(dir.resolve("errors.log")) ? Files.readString(dir.resolve("errors.log")) : "");
        assertEquals(0, sipp.exitValue(), "sipp's scenario (INVITE 200, re-INVITE 200, BYE 200) passed:\n" + out);
        String truth = SipCallers.truth(SipCallers.CLIP);
        double wer = WordErrorRate.score(truth, text).rate();
        System.out.printf(Locale.ROOT, "sipp SIPREC G.722: \"%s\" (WER %.2f); media drops %s%n", text, wer, server.mediaMetrics().drops());
        assertTrue(text.contains("rather selfish"), "recognised words: " + text);
        assertTrue(wer <= 0.6, "word error rate " + wer + ": " + text);
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
                + "<recv response=\"200\" rtd=\"true\"/>\n"
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
