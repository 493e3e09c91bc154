package org.streamasr.media.sip.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class RawRequestAnswerTest {
    private static final String HEAD = "INVITE sip:x@h SIP/2.0\r\n"
            + "v: SIP/2.0/TCP 10.0.0.1:5060;branch=z9hG4bKa\r\n"
            + "Via: SIP/2.0/TCP 10.0.0.2;branch=z9hG4bKb\r\n"
            + "f: <sip:a@h>;tag=1\r\n"
            + "To: <sip:x@h>\r\n"
            + "i: abc\r\n"
            + "CSeq: one\r\n"
            + " INVITE\r\n\r\n";

    @Test
    void echoesTheHeadersARequestsAnswerNeedsAndTagsTheTo() {
        String r = RawRequestAnswer.build(HEAD, 400, "Bad Request", "malformed \"CSeq\" header");
        List<String> lines = r.lines().toList();
        assertEquals("SIP/2.0 400 Bad Request", lines.get(0));
        assertEquals("Via: SIP/2.0/TCP 10.0.0.1:5060;branch=z9hG4bKa", lines.get(1));
        assertEquals("Via: SIP/2.0/TCP 10.0.0.2;branch=z9hG4bKb", lines.get(2));
        assertEquals("From: <sip:a@h>;tag=1", lines.get(3));
        assertTrue(lines.get(4).matches("To: <sip:x@h>;tag=[0-9a-f]{16}"), lines.get(4));
        assertEquals("Call-ID: abc", lines.get(5));
        assertEquals("CSeq: one INVITE", lines.get(6), "folded lines are joined");
        assertTrue(r.contains("Warning: 399 streamasr \"malformed 'CSeq' header\"\r\n"), r);
        assertTrue(r.endsWith("Content-Length: 0\r\n\r\n"), r);
    }

    @Test
    void nothingAnswersAnAckAResponseOrARequestWithoutItsCoreHeaders() {
        assertNull(RawRequestAnswer.build(HEAD.replace("INVITE sip", "ACK sip"), 400, "Bad Request", null));
        assertNull(RawRequestAnswer.build("SIP/2.0 200 OK\r\n" + HEAD.substring(HEAD.indexOf('\n') + 1), 400, "Bad Request", null));
        assertNull(RawRequestAnswer.build(HEAD.replace("i: abc\r\n", ""), 400, "Bad Request", null));
        assertNull(RawRequestAnswer.build("hello there\r\n\r\n", 400, "Bad Request", null));
    }
}
