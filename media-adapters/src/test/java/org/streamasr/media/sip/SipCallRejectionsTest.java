package org.streamasr.media.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.IOException;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.streamasr.runtime.DropCounter;
import org.streamasr.media.MediaMetrics;
import org.streamasr.testing.RecordingCallSink;

/** The refusals a call itself sends (from its answer and from re-INVITEs) are counted like the gateway's own. */
class SipCallRejectionsTest {
    private static final String VIDEO_ONLY = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
            + "m=video 4000 RTP/AVP 96\r\na=rtpmap:96 VP8/90000\r\n";
    private final RecordingCallSink sink = new RecordingCallSink().lenientAfterClose();
    private final LoopbackMediaFactory media = new LoopbackMediaFactory();
    private final MediaMetrics metrics = new MediaMetrics();
    private SipGateway gateway;

    @AfterEach
    void stop() {
        if (gateway != null) gateway.close();
        assertEquals(0, media.openCount(), "media receivers left open");
    }

    private static int invite(RawSipClient c, String callId, String contentType, String body) throws IOException {
        c.send(SipTestMessages.request(c, "INVITE", "x", callId, 1, "f", null, contentType, body));
        RawSipClient.Message answer = c.awaitStatus(200);
        assertNotNull(answer, "no answer to INVITE " + callId);
        if (answer.status() == 200) c.send(SipTestMessages.ack(c, "x", callId, 1, "f", SipTestMessages.tagOf(answer.header("to"))));
        return answer.status();
    }

    @Test
    void answerAndReInviteRefusalsAreCountedUnderTheirStatus() throws Exception {
        gateway = new SipGateway(SipGatewayConfig.defaults(0).withBind("127.0.0.1", 0), sink, media, metrics);
        String offer = SipTestMessages.offer(40000, "0");
        // over TCP, where an unacknowledged error response is not sent again to fill the next wait
        try (RawSipClient c = new RawSipClient("tcp", gateway.port())) {
            assertEquals(488, invite(c, "no-sdp", null, null), "no offer");
            sink.rejectCalls("the server is full");
            assertEquals(503, invite(c, "refused", "application/sdp", offer), "the call sink refused the call");
            sink.rejectCalls(null);
            media.failOpens = new IOException("no RTP port free");
            assertEquals(500, invite(c, "no-port", "application/sdp", offer), "no receiver could be opened");
            media.failOpens = null;

            // in an answered call: a re-INVITE offering nothing we take
            String callId = UUID.randomUUID().toString();
            c.send(SipTestMessages.request(c, "INVITE", "x", callId, 1, "f", null, "application/sdp", offer));
            RawSipClient.Message ok = c.awaitStatus(200);
            String toTag = SipTestMessages.tagOf(ok.header("to"));
            c.send(SipTestMessages.ack(c, "x", callId, 1, "f", toTag));
            c.send(SipTestMessages.request(c, "INVITE", "x", callId, 2, "f", toTag, "application/sdp", VIDEO_ONLY));
            RawSipClient.Message refused = c.awaitStatus(488);
            assertEquals(488, refused.status(), refused.startLine());
            c.send(SipTestMessages.ack(c, "x", callId, 2, "f", toTag));

            c.send(SipTestMessages.request(c, "BYE", "x", callId, 3, "f", toTag, null, null));
            assertEquals(200, c.awaitStatus(200).status());
        }
        gateway.close();

        // glare: the caller's UPDATE with an offer while the gateway's re-INVITE (a session refresh it was asked to
        // make) is unanswered; a re-INVITE against a re-INVITE JAIN-SIP answers 491 itself, before the gateway
        ManualSipTimers timers = new ManualSipTimers();
        gateway = new SipGateway(SipGatewayConfig.defaults(0).withBind("127.0.0.1", 0), sink, media, metrics, timers);
        try (RawSipClient c = new RawSipClient("tcp", gateway.port())) {
            String callId = UUID.randomUUID().toString();
            c.send(SipTestMessages.request(c, "INVITE", "x", callId, 1, "f", null, "application/sdp", offer,
                    "Supported: timer", "Session-Expires: 600;refresher=uas"));
            RawSipClient.Message ok = c.awaitStatus(200);
            String toTag = SipTestMessages.tagOf(ok.header("to"));
            c.send(SipTestMessages.ack(c, "x", callId, 1, "f", toTag));
            timers.advance(java.time.Duration.ofSeconds(300));
            RawSipClient.Message ours = c.receive();
            while (ours != null && !ours.isRequest()) ours = c.receive();
            assertNotNull(ours, "no refresh from the gateway");
            assertEquals("INVITE", ours.method());
            c.send(SipTestMessages.request(c, "UPDATE", "x", callId, 2, "f", toTag, "application/sdp", offer));
            RawSipClient.Message pending = c.awaitStatus(491);
            assertEquals(491, pending.status(), pending.startLine());
        }
        DropCounter drops = metrics.dropCounter("sip");
        Map<String, Long> counted = new TreeMap<>();
        for (String status : new String[] {"488", "491", "500", "503"}) counted.put(status, drops.count("rejected-" + status));
        assertEquals(Map.of("488", 2L, "491", 1L, "500", 1L, "503", 1L), counted);
    }
}
