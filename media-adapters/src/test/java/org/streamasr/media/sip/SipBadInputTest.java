package org.streamasr.media.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.streamasr.media.MediaMetrics;
import org.streamasr.media.sip.siprec.SiprecBodies;
import org.streamasr.testing.RecordingCallSink;

/** A corpus of broken and unwelcome SIP, each answered with its proper error; then a good call still works. */
class SipBadInputTest {
    private static final int MAX_BODY = 16 * 1024;
    private final RecordingCallSink sink = new RecordingCallSink().lenientAfterClose();
    private final LoopbackMediaFactory media = new LoopbackMediaFactory();
    private final MediaMetrics metrics = new MediaMetrics();
    private SipGateway gateway;

    /** No answer at all: nothing to answer to (no Via or Call-ID to echo). */
    private static final int SILENCE = 0;
    /**
     * A malformed mandatory header (From, To, Via, Call-ID, CSeq): over UDP the stack answers 400; over TCP it drops
     * the message unanswered and the connection stays usable (checked with an OPTIONS on it).
     */
    private static final int BAD_CORE_HEADER = -1;

    /** One bad request: how to write it for a client, the status expected, a header the answer must have. */
    private record Case(String name, Function<RawSipClient, String> message, int status, String requiredHeader) {
        Case(String name, Function<RawSipClient, String> message, int status) {
            this(name, message, status, null);
        }
    }

    private static String invite(RawSipClient c, String contentType, String body, String... extra) {
        return SipTestMessages.request(c, "INVITE", "x", UUID.randomUUID().toString(), 1, "f", null, contentType, body, extra);
    }

    private static List<Case> corpus() {
        String sdp = SipTestMessages.offer(40000, "0");
        List<Case> cases = new ArrayList<>();
        cases.add(new Case("garbage", c -> "hello there\r\n\r\n", SILENCE));
        cases.add(new Case("binary", c -> new String(new byte[] {0, 1, 2, (byte) 0xff, 13, 10, 13, 10}, StandardCharsets.ISO_8859_1), SILENCE));
        cases.add(new Case("bad CSeq", c -> invite(c, "application/sdp", sdp).replaceFirst("CSeq: 1 INVITE", "CSeq: one INVITE"), BAD_CORE_HEADER));
        cases.add(new Case("bad From", c -> invite(c, "application/sdp", sdp).replaceFirst("From: [^\r]*", "From: <sip:broken"), BAD_CORE_HEADER));
        // a response must echo the Call-ID (RFC 3261 section 8.2.6.2): without one there is nothing to answer
        cases.add(new Case("no Call-ID", c -> invite(c, "application/sdp", sdp).replaceFirst("Call-ID: [^\r]*\r\n", ""), SILENCE));
        cases.add(new Case("no SDP", c -> invite(c, null, null), 488, "warning"));
        cases.add(new Case("unsupported codecs only", c -> invite(c, "application/sdp",
                SipTestMessages.offer(40000, "18 3 97").replace("a=rtpmap:96 opus/48000/2", "a=rtpmap:97 speex/16000")), 488, "warning"));
        cases.add(new Case("only video", c -> invite(c, "application/sdp",
                "v=0\r\nc=IN IP4 127.0.0.1\r\nm=video 4000 RTP/AVP 96\r\na=rtpmap:96 VP8/90000\r\n"), 488, "warning"));
        cases.add(new Case("malformed SDP", c -> invite(c, "application/sdp", "v=0\r\nm=audio notaport RTP/AVP 0\r\n"), 400, null));
        cases.add(new Case("text body", c -> invite(c, "text/plain", "hello"), 415, "accept"));
        cases.add(new Case("gzip body", c -> invite(c, "application/sdp", sdp, "Content-Encoding: gzip"), 415, "accept-encoding"));
        cases.add(new Case("huge body", c -> invite(c, "application/sdp", sdp + "a=x-pad:" + "x".repeat(MAX_BODY) + "\r\n"), 413, null));
        cases.add(new Case("multipart without boundary", c -> invite(c, "multipart/mixed", "--a\r\n\r\nx\r\n--a--\r\n"), 400, null));
        cases.add(new Case("multipart without closing delimiter", c -> invite(c, "multipart/mixed;boundary=b",
                "--b\r\nContent-Type: application/sdp\r\n\r\n" + sdp), 400, null));
        cases.add(new Case("malformed metadata", c -> invite(c, "multipart/mixed;boundary=" + SiprecBodies.BOUNDARY,
                SiprecBodies.multipart(SiprecBodies.sdp("127.0.0.1", 4000, 4002), "<recording><participant>")), 400, null));
        cases.add(new Case("unknown method", c -> SipTestMessages.request(c, "FROBNICATE", "x", "u1", 1, "f", null, null, null), 501, "allow"));
        cases.add(new Case("known method not served", c -> SipTestMessages.request(c, "REGISTER", "x", "r1", 1, "f", null, null, null), 405, "allow"));
        cases.add(new Case("unsupported extension", c -> invite(c, "application/sdp", sdp, "Require: 100rel"), 420, "unsupported"));
        cases.add(new Case("BYE outside any call", c -> SipTestMessages.request(c, "BYE", "x", "nocall", 2, "f", "t", null, null), 481, null));
        cases.add(new Case("tel URI", c -> invite(c, "application/sdp", sdp).replaceFirst("INVITE sip:x@127.0.0.1", "INVITE tel:+15551234"), 416, null));
        cases.add(new Case("Session-Expires below Min-SE", c -> invite(c, "application/sdp", sdp, "Session-Expires: 10"), 422, "min-se"));
        cases.add(new Case("duplicate SDP parts", c -> invite(c, "multipart/mixed;boundary=b",
                "--b\r\nContent-Type: application/sdp\r\n\r\n" + sdp + "\r\n--b\r\nContent-Type: application/sdp\r\n\r\n" + sdp + "\r\n--b--\r\n"), 400, null));
        return cases;
    }

    @AfterEach
    void stop() {
        if (gateway != null) gateway.close();
        assertEquals(0, media.openCount());
    }

    @ParameterizedTest
    @ValueSource(strings = {"udp", "tcp"})
    void everyBadMessageGetsItsErrorAndTheListenerKeepsWorking(String transport) throws Exception {
        gateway = new SipGateway(SipGatewayConfig.defaults(0).withBind("127.0.0.1", 0).withMaxBody(MAX_BODY), sink, media, metrics);
        List<String> wrong = new ArrayList<>();
        List<Case> cases = corpus();
        if (transport.equals("udp")) {
            // a datagram shorter than its Content-Length; over TCP the same bytes just wait for the rest
            cases.add(new Case("Content-Length beyond the datagram", c -> invite(c, "application/sdp", SipTestMessages.offer(40000, "0"))
                    .replaceFirst("Content-Length: \\d+", "Content-Length: 9999"), 400));
        }
        for (Case k : cases) {
            try (RawSipClient c = new RawSipClient(transport, gateway.port())) {
                int expected = k.status == BAD_CORE_HEADER && transport.equals("udp") ? 400 : k.status;
                if (expected <= 0) c.timeoutMillis(700);
                c.send(k.message.apply(c));
                RawSipClient.Message answer = c.awaitStatus(expected <= 0 ? 999 : expected);
                if (expected == SILENCE && answer != null) wrong.add(k.name + ": expected no answer, got " + answer.startLine());
                if (expected == BAD_CORE_HEADER) {
                    if (answer != null) wrong.add(k.name + ": expected no answer over TCP, got " + answer.startLine());
                    c.timeoutMillis(5_000);
                    c.send(SipTestMessages.request(c, "OPTIONS", "x", UUID.randomUUID().toString(), 1, "o", null, null, null));
                    RawSipClient.Message options = c.awaitStatus(200);
                    if (options == null || options.status() != 200) wrong.add(k.name + ": the connection no longer answers OPTIONS");
                }
                if (expected <= 0) continue;
                if (answer == null) {
                    wrong.add(k.name + ": no answer, expected " + expected);
                } else if (answer.status() != expected) {
                    wrong.add(k.name + ": got " + answer.startLine() + ", expected " + expected);
                } else if (k.requiredHeader != null && answer.header(k.requiredHeader) == null) {
                    wrong.add(k.name + ": " + k.status + " without " + k.requiredHeader);
                }
            }
        }
        assertTrue(wrong.isEmpty(), String.join("\n", wrong));
        assertEquals(0, sink.calls().size(), "no bad request opened a call");
        assertTrue(metrics.dropCounter("sip").total() > 0, "rejections are counted");

        try (RawSipClient c = new RawSipClient(transport, gateway.port())) {
            String callId = UUID.randomUUID().toString();
            c.send(SipTestMessages.request(c, "INVITE", "x", callId, 1, "f", null, "application/sdp", SipTestMessages.offer(40000, "0")));
            RawSipClient.Message ok = c.awaitStatus(200);
            assertNotNull(ok);
            assertEquals(200, ok.status());
            String toTag = SipTestMessages.tagOf(ok.header("to"));
            c.send(SipTestMessages.ack(c, "x", callId, 1, "f", toTag));
            c.send(SipTestMessages.request(c, "BYE", "x", callId, 2, "f", toTag, null, null));
            assertEquals(200, c.awaitStatus(200).status());
        }
        SipGatewayTest.poll(() -> gateway.activeCalls() == 0, "good call ended");
    }
}
