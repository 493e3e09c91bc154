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
     * One bad request: how to write it for a client, the status expected, a header the answer must have, and whether
     * the same connection must then still answer an OPTIONS (for what the stack would otherwise choke on).
     */
    private record Case(String name, Function<RawSipClient, String> message, int status, String requiredHeader,
                        boolean thenOptions) {
        Case(String name, Function<RawSipClient, String> message, int status, String requiredHeader) {
            this(name, message, status, requiredHeader, false);
        }

        Case(String name, Function<RawSipClient, String> message, int status) {
            this(name, message, status, null, false);
        }

        /** A malformed mandatory header: 400 over UDP and TCP alike, and the connection keeps working. */
        static Case badCoreHeader(String name, Function<RawSipClient, String> message) {
            return new Case(name, message, 400, null, true);
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
        cases.add(Case.badCoreHeader("bad CSeq", c -> invite(c, "application/sdp", sdp).replaceFirst("CSeq: 1 INVITE", "CSeq: one INVITE")));
        cases.add(Case.badCoreHeader("bad From", c -> invite(c, "application/sdp", sdp).replaceFirst("From: [^\r]*", "From: <sip:broken")));
        cases.add(Case.badCoreHeader("bad To", c -> invite(c, "application/sdp", sdp).replaceFirst("To: [^\r]*", "To: sip:x@127.0.0.1>;;")));
        cases.add(Case.badCoreHeader("bad Call-ID", c -> invite(c, "application/sdp", sdp).replaceFirst("Call-ID: [^\r]*", "Call-ID: a b@c d")));
        cases.add(Case.badCoreHeader("bad Via", c -> invite(c, "application/sdp", sdp).replaceFirst("(Via: SIP/2.0/[A-Z]+) ", "$1 ;;")));
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
        cases.add(new Case("Session-Expires below Min-SE", c -> invite(c, "application/sdp", sdp, "Supported: timer", "Session-Expires: 10"), 422, "min-se"));
        cases.add(new Case("Session-Expires not a number", c -> invite(c, "application/sdp", sdp, "Supported: timer", "Session-Expires: soon"), 400));
        cases.add(new Case("Session-Expires out of range", c -> invite(c, "application/sdp", sdp, "Session-Expires: 99999999999"), 400));
        cases.add(new Case("unknown refresher", c -> invite(c, "application/sdp", sdp, "Supported: timer", "Session-Expires: 600;refresher=both"), 400));
        cases.add(new Case("Min-SE not a number", c -> invite(c, "application/sdp", sdp, "Supported: timer", "Session-Expires: 600", "Min-SE: abc"), 400));
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
                int expected = k.status;
                if (expected == SILENCE) c.timeoutMillis(700);
                c.send(k.message.apply(c));
                RawSipClient.Message answer = c.awaitStatus(expected == SILENCE ? 999 : expected);
                if (expected == SILENCE) {
                    if (answer != null) wrong.add(k.name + ": expected no answer, got " + answer.startLine());
                } else if (answer == null) {
                    wrong.add(k.name + ": no answer, expected " + expected);
                } else if (answer.status() != expected) {
                    wrong.add(k.name + ": got " + answer.startLine() + ", expected " + expected);
                } else if (k.requiredHeader != null && answer.header(k.requiredHeader) == null) {
                    wrong.add(k.name + ": " + k.status + " without " + k.requiredHeader);
                }
                if (k.thenOptions) {
                    c.timeoutMillis(5_000);
                    c.send(SipTestMessages.request(c, "OPTIONS", "x", UUID.randomUUID().toString(), 1, "o", null, null, null));
                    RawSipClient.Message options = c.awaitStatus(200);
                    if (options == null || options.status() != 200) wrong.add(k.name + ": the connection no longer answers OPTIONS");
                }
            }
        }
        assertTrue(wrong.isEmpty(), String.join("\n", wrong));
        assertEquals(0, sink.calls().size(), "no bad request opened a call");
        // every refusal is counted under its status, whether the stack, the TCP screen or the gateway sent it
        java.util.Map<Integer, Long> perStatus = new java.util.TreeMap<>();
        // (not 481: JAIN-SIP answers a request outside any dialog itself, before the gateway sees it)
        for (Case k : cases) if (k.status > 0 && k.status != 481) perStatus.merge(k.status, 1L, Long::sum);
        java.util.Map<Integer, Long> counted = new java.util.TreeMap<>();
        for (int status : perStatus.keySet()) counted.put(status, metrics.dropCounter("sip").count("rejected-" + status));
        assertEquals(perStatus, counted, "rejections counted per status");

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

    /**
     * A body of about 1 MiB over TCP, with a limit fit for UDP: answered 413 from its headers while the body is skipped
     * unread, and the same connection then carries a good call. The stack alone would have closed the connection.
     */
    @org.junit.jupiter.api.Test
    void aHugeBodyOverTcpGets413AndTheConnectionCarriesAGoodCallAfterwards() throws Exception {
        gateway = new SipGateway(SipGatewayConfig.defaults(0).withBind("127.0.0.1", 0).withMaxBody(MAX_BODY), sink, media, metrics);
        try (RawSipClient c = new RawSipClient("tcp", gateway.port())) {
            String huge = SipTestMessages.offer(40000, "0") + "a=x-pad:" + "x".repeat(1 << 20) + "\r\n";
            c.send(invite(c, "application/sdp", huge));
            RawSipClient.Message tooLarge = c.awaitStatus(413);
            assertNotNull(tooLarge, "no answer to the huge INVITE");
            assertEquals(413, tooLarge.status(), tooLarge.startLine());
            assertEquals("1 INVITE", tooLarge.header("cseq"));
            assertNotNull(SipTestMessages.tagOf(tooLarge.header("to")), "a final response carries a To tag");

            String callId = UUID.randomUUID().toString();
            c.send(SipTestMessages.request(c, "INVITE", "x", callId, 1, "f", null, "application/sdp", SipTestMessages.offer(40000, "0")));
            RawSipClient.Message ok = c.awaitStatus(200);
            assertNotNull(ok, "the connection went dead after the 413");
            assertEquals(200, ok.status(), ok.startLine());
            String toTag = SipTestMessages.tagOf(ok.header("to"));
            c.send(SipTestMessages.ack(c, "x", callId, 1, "f", toTag));
            c.send(SipTestMessages.request(c, "BYE", "x", callId, 2, "f", toTag, null, null));
            assertEquals(200, c.awaitStatus(200).status());
        }
        SipGatewayTest.poll(() -> gateway.activeCalls() == 0, "good call ended");
        assertEquals(1, metrics.dropCounter("sip").count("rejected-413"));
        assertEquals(1, sink.calls().size(), "only the good INVITE opened a call");
    }
}
