package org.streamasr.media.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.streamasr.media.MediaMetrics;
import org.streamasr.testing.RecordingCallSink;

/**
 * RFC 4028 session timers against a raw SIP peer, on call timers the test moves by hand: who refreshes, when the
 * gateway hangs up, when it refreshes itself, and that a caller without timer support never gets one.
 */
class SipSessionTimerTest {
    private static final String ALLOW_UPDATE = "Allow: INVITE, ACK, BYE, CANCEL, OPTIONS, UPDATE";
    private final RecordingCallSink sink = new RecordingCallSink().lenientAfterClose();
    private final LoopbackMediaFactory media = new LoopbackMediaFactory();
    private final ManualSipTimers timers = new ManualSipTimers();
    private SipGateway gateway;

    /** One answered call as the raw peer sees it. */
    private record Dialog(RawSipClient c, String callId, String toTag, RawSipClient.Message ok) {
    }

    private void start(SipGatewayConfig config) throws Exception {
        gateway = new SipGateway(config, sink, media, new MediaMetrics(), timers);
    }

    private static SipGatewayConfig config() {
        return SipGatewayConfig.defaults(0).withBind("127.0.0.1", 0);
    }

    @AfterEach
    void stop() {
        if (gateway != null) gateway.close();
        assertEquals(0, media.openCount(), "media receivers left open");
    }

    private static Dialog call(RawSipClient c, String... headers) throws Exception {
        String callId = UUID.randomUUID().toString();
        c.send(SipTestMessages.request(c, "INVITE", "x", callId, 1, "f", null, "application/sdp",
                SipTestMessages.offer(40000, "0"), headers));
        RawSipClient.Message ok = c.awaitStatus(200);
        assertNotNull(ok, "no answer to the INVITE");
        assertEquals(200, ok.status(), ok.startLine());
        String toTag = SipTestMessages.tagOf(ok.header("to"));
        c.send(SipTestMessages.ack(c, "x", callId, 1, "f", toTag));
        return new Dialog(c, callId, toTag, ok);
    }

    /** An INFO in the dialog is answered 200 only while the call is up (481 once it ended). */
    private static void assertAlive(Dialog d, int cseq) throws Exception {
        d.c.send(SipTestMessages.request(d.c, "INFO", "x", d.callId, cseq, "f", d.toTag, null, null));
        RawSipClient.Message answer = d.c.awaitStatus(200);
        assertNotNull(answer, "no answer to INFO");
        assertEquals(200, answer.status(), "the call is still up: " + answer.startLine());
    }

    private static RawSipClient.Message nextRequest(RawSipClient c) throws Exception {
        RawSipClient.Message m = c.receive();
        while (m != null && !m.isRequest()) m = c.receive();
        assertNotNull(m, "no request from the gateway");
        return m;
    }

    @Test
    void whenTheCallerRefreshesAndDoesNotTheGatewayHangsUpJustBeforeTheIntervalEnds() throws Exception {
        start(config());
        try (RawSipClient c = new RawSipClient("udp", gateway.port())) {
            Dialog d = call(c, "Supported: timer", "Session-Expires: 600");
            assertEquals("600;refresher=uac", d.ok.header("session-expires"));
            assertEquals("timer", d.ok.header("require"));
            timers.advance(Duration.ofSeconds(567)); // 600 - min(32, 600/3) = 568
            assertAlive(d, 2);
            timers.advance(Duration.ofSeconds(1));
            RawSipClient.Message bye = nextRequest(c);
            assertEquals("BYE", bye.method());
            assertTrue(bye.header("reason").contains("session timer expired"), bye.header("reason"));
            SipGatewayTest.poll(() -> gateway.activeCalls() == 0 && sink.calls().get(0).isClosed(), "call closed");
        }
    }

    @Test
    void aRefreshFromTheCallerStartsTheIntervalAgain() throws Exception {
        start(config());
        try (RawSipClient c = new RawSipClient("tcp", gateway.port())) {
            Dialog d = call(c, "Supported: timer", "Session-Expires: 600");
            timers.advance(Duration.ofSeconds(500));
            c.send(SipTestMessages.request(c, "UPDATE", "x", d.callId, 2, "f", d.toTag, null, null,
                    "Supported: timer", "Session-Expires: 600;refresher=uac"));
            RawSipClient.Message refreshed = c.awaitStatus(200);
            assertEquals(200, refreshed.status(), refreshed.startLine());
            assertEquals("600;refresher=uac", refreshed.header("session-expires"));
            assertEquals("timer", refreshed.header("require"));
            timers.advance(Duration.ofSeconds(100)); // past the first interval's 568 s
            assertAlive(d, 3);
            timers.advance(Duration.ofSeconds(467)); // 500 + 567
            assertAlive(d, 4);
            timers.advance(Duration.ofSeconds(1));
            assertEquals("BYE", nextRequest(c).method());
        }
    }

    @Test
    void askedToRefreshTheGatewaySendsAnUpdateAtHalfTheIntervalAndStaysUp() throws Exception {
        start(config());
        try (RawSipClient c = new RawSipClient("udp", gateway.port())) {
            Dialog d = call(c, "Supported: timer", "Session-Expires: 600;refresher=uas", ALLOW_UPDATE);
            assertEquals("600;refresher=uas", d.ok.header("session-expires"));
            assertEquals("timer", d.ok.header("require"));
            for (int round = 1; round <= 2; round++) {
                timers.advance(Duration.ofSeconds(300));
                RawSipClient.Message update = nextRequest(c);
                assertEquals("UPDATE", update.method(), update.startLine());
                assertEquals("600;refresher=uac", update.header("session-expires"), "in its own request, uac is the gateway");
                assertEquals("timer", update.header("supported"));
                assertEquals("", update.body());
                c.send(SipTestMessages.answer(update, 200, "OK", null, null, "Session-Expires: 600;refresher=uac", "Require: timer"));
                Duration expiry = Duration.ofSeconds(300L * round + 568);
                SipGatewayTest.poll(() -> timers.hasTaskDueAt(expiry), "expiry re-armed from the refresh");
            }
            assertAlive(d, 2); // 600 s in: the first interval would have ended at 568 s
        }
    }

    @Test
    void whenTheCallerTakesNoUpdateTheRefreshIsAReInviteOfferingTheSameSdpAndIsAcked() throws Exception {
        start(config());
        try (RawSipClient c = new RawSipClient("udp", gateway.port())) {
            Dialog d = call(c, "Supported: timer", "Session-Expires: 600;refresher=uas", "Allow: INVITE, ACK, BYE, CANCEL");
            timers.advance(Duration.ofSeconds(300));
            RawSipClient.Message reinvite = nextRequest(c);
            assertEquals("INVITE", reinvite.method(), reinvite.startLine());
            assertEquals(d.ok.body(), reinvite.body(), "the last answer offered again, version unchanged");
            assertEquals("600;refresher=uac", reinvite.header("session-expires"));
            c.send(SipTestMessages.answer(reinvite, 200, "OK", "application/sdp", SipTestMessages.offer(40000, "0"),
                    "Contact: <sip:alice@127.0.0.1:" + c.localPort() + ">", "Session-Expires: 600;refresher=uac", "Require: timer"));
            RawSipClient.Message ack = nextRequest(c);
            assertEquals("ACK", ack.method());
            assertEquals(reinvite.header("cseq").split(" ")[0], ack.header("cseq").split(" ")[0]);
            SipGatewayTest.poll(() -> timers.hasTaskDueAt(Duration.ofSeconds(300 + 568)), "expiry re-armed from the refresh");
        }
    }

    @Test
    void aRefreshAnswered481EndsTheCallWithABye() throws Exception {
        start(config());
        try (RawSipClient c = new RawSipClient("udp", gateway.port())) {
            call(c, "Supported: timer", "Session-Expires: 600;refresher=uas", ALLOW_UPDATE);
            timers.advance(Duration.ofSeconds(300));
            RawSipClient.Message update = nextRequest(c);
            c.send(SipTestMessages.answer(update, 481, "Call/Transaction Does Not Exist", null, null));
            RawSipClient.Message bye = nextRequest(c);
            assertEquals("BYE", bye.method());
            assertTrue(bye.header("reason").contains("481"), bye.header("reason"));
        }
    }

    @Test
    void aCallerWithoutTimerSupportGetsNoSessionTimerAndNoRequire() throws Exception {
        start(config());
        try (RawSipClient c = new RawSipClient("udp", gateway.port())) {
            // a Session-Expires a proxy put in: the caller never said Supported: timer
            Dialog d = call(c, "Session-Expires: 600;refresher=uac");
            assertNull(d.ok.header("session-expires"));
            assertNull(d.ok.header("require"));
            timers.advance(Duration.ofHours(3));
            assertAlive(d, 2);
        }
    }

    @Test
    void theIntervalIsOursWhenShorterButNeverBelowTheRequestsMinSe() throws Exception {
        start(config().withSessionTimers(Duration.ofSeconds(120), Duration.ofSeconds(90)));
        try (RawSipClient c = new RawSipClient("udp", gateway.port())) {
            assertEquals("120;refresher=uac", call(c, "Supported: timer", "Session-Expires: 1800").ok.header("session-expires"));
            assertEquals("900;refresher=uac", call(c, "Supported: timer", "Session-Expires: 1800", "Min-SE: 900")
                    .ok.header("session-expires"));
            assertEquals("100;refresher=uac", call(c, "Supported: timer", "Session-Expires: 100").ok.header("session-expires"));
        }
    }
}
