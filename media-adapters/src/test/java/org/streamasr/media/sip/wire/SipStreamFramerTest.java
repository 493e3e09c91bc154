package org.streamasr.media.sip.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The TCP framer on its own: byte streams cut anywhere, oversized bodies skipped, bad framing refused. */
class SipStreamFramerTest {
    private final List<String> events = new ArrayList<>();
    private final SipStreamFramer framer = new SipStreamFramer(100, 400, new SipStreamFramer.Handler() {
        @Override
        public void message(byte[] message) {
            events.add("message:" + new String(message, StandardCharsets.UTF_8));
        }

        @Override
        public void keepAlive(byte[] crlf) {
            events.add("keep-alive:" + crlf.length);
        }

        @Override
        public void oversized(String head, long contentLength) {
            events.add("oversized:" + contentLength + ":" + head.lines().findFirst().orElse(""));
        }
    });

    private static String request(String method, String body) {
        return method + " sip:x@h SIP/2.0\r\nCall-ID: c\r\nContent-Length: " + body.getBytes(StandardCharsets.UTF_8).length
                + "\r\n\r\n" + body;
    }

    private void feedInPieces(String stream, int piece) throws Exception {
        byte[] all = stream.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < all.length; i += piece) framer.feed(Arrays.copyOfRange(all, i, Math.min(all.length, i + piece)));
    }

    @Test
    void messagesComeOutWholeHoweverTheStreamIsCut() throws Exception {
        String a = request("INVITE", "v=0\r\n");
        String b = request("OPTIONS", "");
        String c = request("BYE", "x".repeat(100));
        for (int piece : new int[] {1, 3, 7, 64, 4096}) {
            events.clear();
            feedInPieces(a + b + c, piece);
            assertEquals(List.of("message:" + a, "message:" + b, "message:" + c), events, "pieces of " + piece);
        }
    }

    @Test
    void anOversizedBodyIsSkippedUnreadAndTheNextMessageStillComesOut() throws Exception {
        String big = request("INVITE", "y".repeat(10_000));
        String next = request("INVITE", "v=0\r\n");
        feedInPieces(big + next, 333);
        assertEquals(List.of("oversized:10000:INVITE sip:x@h SIP/2.0", "message:" + next), events);
    }

    @Test
    void crlfBetweenMessagesPassesOnAsKeepAlives() throws Exception {
        String m = request("OPTIONS", "");
        framer.feed(("\r\n\r\n" + m + "\r\n").getBytes(StandardCharsets.UTF_8));
        assertEquals(List.of("keep-alive:4", "message:" + m, "keep-alive:2"), events);
    }

    @Test
    void compactContentLengthIsRead() throws Exception {
        String m = "MESSAGE sip:x@h SIP/2.0\r\nl: 3\r\n\r\nabc";
        framer.feed((m + request("OPTIONS", "")).getBytes(StandardCharsets.UTF_8));
        assertEquals("message:" + m, events.get(0));
        assertEquals(2, events.size());
    }

    @Test
    void aContentLengthThatIsNoNumberLosesTheFramingWithTheHeadersKept() {
        SipStreamFramer.UnframeableException e = assertThrows(SipStreamFramer.UnframeableException.class,
                () -> framer.feed("INVITE sip:x@h SIP/2.0\r\nContent-Length: lots\r\n\r\n".getBytes(StandardCharsets.UTF_8)));
        assertTrue(e.getMessage().contains("lots"), e.getMessage());
        assertTrue(e.head.startsWith("INVITE"), e.head);
    }

    @Test
    void aHeaderBlockPastTheLimitLosesTheFraming() {
        String endless = "INVITE sip:x@h SIP/2.0\r\n" + "X-Pad: 0123456789\r\n".repeat(30);
        SipStreamFramer.UnframeableException e = assertThrows(SipStreamFramer.UnframeableException.class,
                () -> framer.feed(endless.getBytes(StandardCharsets.UTF_8)));
        assertTrue(e.getMessage().contains("400"), e.getMessage());
        assertEquals(List.of(), events);
    }
}
