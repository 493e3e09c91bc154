package org.streamasr.media.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.streamasr.media.MediaMetrics;
import org.streamasr.media.codec.AudioCodec;
import org.streamasr.media.sip.sdp.MediaDescription;
import org.streamasr.media.sip.sdp.MediaDirection;
import org.streamasr.media.sip.sdp.SdpParser;
import org.streamasr.media.sip.sdp.SessionDescription;
import org.streamasr.media.sip.sdp.SrtpMode;
import org.streamasr.media.sip.siprec.SiprecBodies;
import org.streamasr.media.sip.srtp.SdesKey;
import org.streamasr.media.sip.srtp.SrtpSuite;
import org.streamasr.testing.RecordingCallSink;

class SipGatewayTest {
    private final RecordingCallSink sink = new RecordingCallSink().lenientAfterClose();
    private final LoopbackMediaFactory media = new LoopbackMediaFactory();
    private SipGateway gateway;

    private SipGateway start(SipGatewayConfig config) throws Exception {
        gateway = new SipGateway(config, sink, media, new MediaMetrics());
        return gateway;
    }

    private static SipGatewayConfig config() {
        return SipGatewayConfig.defaults(0).withBind("127.0.0.1", 0);
    }

    @AfterEach
    void stop() {
        if (gateway != null) gateway.close();
        assertEquals(0, media.openCount(), "media receivers left open");
    }

    @ParameterizedTest
    @ValueSource(strings = {"udp", "tcp"})
    void answersAnInviteReceivesAndEndsOnBye(String transport) throws Exception {
        start(config());
        try (RawSipClient c = new RawSipClient(transport, gateway.port())) {
            String callId = UUID.randomUUID().toString();
            c.send(SipTestMessages.request(c, "INVITE", "transcribe", callId, 1, "f1", null, "application/sdp",
                    SipTestMessages.offer(40000, "0 96 9 101")));
            RawSipClient.Message trying = c.receive();
            assertEquals(100, trying.status());
            RawSipClient.Message ringing = c.receive();
            assertEquals(180, ringing.status());
            RawSipClient.Message ok = c.receive();
            assertEquals(200, ok.status(), ok.toString());
            assertEquals("application/sdp", ok.header("content-type"));
            assertTrue(ok.header("contact").contains(";transport=" + transport), ok.header("contact"));
            assertTrue(ok.header("allow").contains("BYE"));
            String toTag = SipTestMessages.tagOf(ok.header("to"));
            assertNotNull(toTag);

            SessionDescription answer = SdpParser.parse(ok.body());
            MediaDescription m = answer.media().get(0);
            assertEquals(List.of("96", "101"), m.formats(), "opus first by our preference, with telephone-event");
            assertEquals(media.opened.get(0).localPort(), m.port());
            assertEquals(MediaDirection.RECVONLY, m.direction());
            assertEquals("127.0.0.1", answer.connectionAddressOf(m));

            RecordingCallSink.Call call = sink.calls().get(0);
            assertEquals(call.callId(), ok.header("x-streamasr-call-id"));
            assertEquals("sip", call.spec.source());
            assertEquals(callId, call.spec.attributes().get("sip.call-id"));
            assertEquals("\"Alice Caller\" <sip:alice@example.com>", call.spec.attributes().get("sip.from"));
            assertEquals("<sip:transcribe@127.0.0.1>", call.spec.attributes().get("sip.to"));
            assertEquals(transport, call.spec.attributes().get("sip.transport"));
            assertEquals("sip:alice@example.com", call.participants().get(0).spec.participantId());
            assertEquals("Alice Caller", call.participants().get(0).spec.displayName());
            assertEquals(AudioCodec.OPUS, media.opened.get(0).offer.codec().codec());

            c.send(SipTestMessages.ack(c, "transcribe", callId, 1, "f1", toTag));
            c.send(SipTestMessages.request(c, "BYE", "transcribe", callId, 2, "f1", toTag, null, null));
            assertEquals(200, c.awaitStatus(200).status());
            poll(() -> call.isClosed() && gateway.activeCalls() == 0, "call closed after BYE");
            assertTrue(call.participants().get(0).isClosed());
        }
    }

    @Test
    void cancelBeforeTheAnswerGets487AndNoCallStays() throws Exception {
        start(config());
        CountDownLatch hold = new CountDownLatch(1);
        sink.holdOpens(hold);
        try (RawSipClient c = new RawSipClient("udp", gateway.port())) {
            String callId = UUID.randomUUID().toString();
            String invite = SipTestMessages.request(c, "INVITE", "transcribe", callId, 1, "f1", null, "application/sdp",
                    SipTestMessages.offer(40000, "0"));
            c.send(invite);
            assertEquals(100, c.receive().status());
            assertEquals(180, c.receive().status());
            sink.entered().await();
            // CANCEL repeats the INVITE's Via branch, Call-ID, From, To and CSeq number (RFC 3261 section 9.1)
            String via = invite.lines().filter(l -> l.startsWith("Via:")).findFirst().orElseThrow();
            String cancel = SipTestMessages.request(c, "CANCEL", "transcribe", callId, 1, "f1", null, null, null)
                    .replaceFirst("Via: [^\r]*", via);
            c.send(cancel);
            int cancelOk = 0;
            int terminated = 0;
            for (int i = 0; i < 2; i++) {
                RawSipClient.Message m = c.receive();
                if (m.status() == 200 && m.header("cseq").endsWith("CANCEL")) cancelOk++;
                if (m.status() == 487 && m.header("cseq").endsWith("INVITE")) terminated++;
            }
            assertEquals(1, cancelOk);
            assertEquals(1, terminated);
            hold.countDown();
            poll(() -> gateway.activeCalls() == 0 && sink.calls().stream().allMatch(k -> k.isClosed()), "cancelled call torn down");
        }
    }

    @Test
    void siprecSessionNamesEachStreamAndFollowsMetadataUpdates() throws Exception {
        start(config());
        try (RawSipClient c = new RawSipClient("tcp", gateway.port())) {
            String callId = UUID.randomUUID().toString();
            String body = SiprecBodies.multipart(SiprecBodies.sdp("127.0.0.1", 41000, 41002), SiprecBodies.metadata("Alice", "Bob"));
            String invite = SipTestMessages.request(c, "INVITE", "recorder", callId, 1, "s1", null,
                    "multipart/mixed;boundary=" + SiprecBodies.BOUNDARY, body, "Require: siprec", "Supported: siprec")
                    .replaceFirst("(Contact: <[^>]*>)", "$1;+sip.src");
            c.send(invite);
            RawSipClient.Message ok = c.awaitStatus(200);
            assertEquals(200, ok.status(), ok.toString());
            assertTrue(ok.header("contact").contains("+sip.srs"), ok.header("contact"));
            String toTag = SipTestMessages.tagOf(ok.header("to"));
            SessionDescription answer = SdpParser.parse(ok.body());
            assertEquals(2, answer.media().size());
            assertEquals("96", answer.media().get(0).attribute("label"));
            assertEquals(MediaDirection.RECVONLY, answer.media().get(1).direction());

            RecordingCallSink.Call call = sink.calls().get(0);
            assertEquals("siprec", call.spec.source());
            assertEquals(List.of("Alice", "Bob"), call.participants().stream().map(p -> p.spec.displayName()).toList());
            assertEquals("sip:alice@atlanta.com", call.participants().get(0).spec.participantId());
            c.send(SipTestMessages.ack(c, "recorder", callId, 1, "s1", toTag));

            // a re-INVITE with the same SDP and new metadata: Carol now speaks on Bob's stream
            String update = "<recording xmlns='urn:ietf:params:xml:ns:recording:1'><datamode>partial</datamode>"
                    + "<participant participant_id=\"c1\"><nameID aor=\"sip:carol@chicago.com\"><name>Carol</name></nameID></participant>"
                    + "<participantstreamassoc participant_id=\"zSfPoSvdSDCmU3A3TRDxAw==\"><recv>UAAMm5GRQKSCMVvLyl4rFw==</recv></participantstreamassoc>"
                    + "<participantstreamassoc participant_id=\"c1\"><send>i1Pz3to5hGk8fuXl+PbwCw==</send></participantstreamassoc>"
                    + "</recording>";
            c.send(SipTestMessages.request(c, "INVITE", "recorder", callId, 2, "s1", toTag,
                    "multipart/mixed;boundary=" + SiprecBodies.BOUNDARY,
                    SiprecBodies.multipart(SiprecBodies.sdp("127.0.0.1", 41000, 41002), update), "Require: siprec"));
            RawSipClient.Message ok2 = c.awaitStatus(200);
            assertEquals(200, ok2.status(), ok2.toString());
            assertEquals(answer.media(), SdpParser.parse(ok2.body()).media(), "unchanged offer, unchanged answer");
            assertEquals(2, media.openCount(), "receivers kept across the re-INVITE");
            c.send(SipTestMessages.ack(c, "recorder", callId, 2, "s1", toTag));
            poll(() -> call.participants().size() == 3, "Carol opened");
            assertEquals("Carol", call.participants().get(2).spec.displayName());
            assertTrue(call.participants().get(1).isClosed(), "Bob's stream closed when Carol took over");
            assertFalse(call.participants().get(0).isClosed());

            c.send(SipTestMessages.request(c, "BYE", "recorder", callId, 3, "s1", toTag, null, null));
            assertEquals(200, c.awaitStatus(200).status());
            poll(() -> call.isClosed(), "recording ended");
        }
    }

    @Test
    void srtpOfferGetsOurOwnKeyInTheAnswer() throws Exception {
        start(config().withMedia(List.of(AudioCodec.PCMU), SrtpMode.OPTIONAL));
        SdesKey theirs = SdesKey.generate(1, SrtpSuite.AES_CM_128_HMAC_SHA1_32, new java.security.SecureRandom());
        try (RawSipClient c = new RawSipClient("udp", gateway.port())) {
            String sdp = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/SAVP 0\r\n"
                    + "a=crypto:" + theirs.toAttributeValue() + "\r\n";
            String callId = UUID.randomUUID().toString();
            c.send(SipTestMessages.request(c, "INVITE", "x", callId, 1, "f", null, "application/sdp", sdp));
            RawSipClient.Message ok = c.awaitStatus(200);
            MediaDescription m = SdpParser.parse(ok.body()).media().get(0);
            assertEquals("RTP/SAVP", m.proto());
            SdesKey ours = SdesKey.parse(m.attribute("crypto"));
            assertEquals(SrtpSuite.AES_CM_128_HMAC_SHA1_32, ours.suite());
            assertFalse(ours.equals(theirs));
            assertEquals(theirs, media.opened.get(0).offer.remoteKey(), "the receiver gets the offerer's key");
            c.send(SipTestMessages.ack(c, "x", callId, 1, "f", SipTestMessages.tagOf(ok.header("to"))));
        }
    }

    @Test
    void mediaInactivityEndsTheCallWithOurBye() throws Exception {
        start(config());
        try (RawSipClient c = new RawSipClient("udp", gateway.port())) {
            String callId = UUID.randomUUID().toString();
            c.send(SipTestMessages.request(c, "INVITE", "x", callId, 1, "f", null, "application/sdp", SipTestMessages.offer(40000, "0")));
            RawSipClient.Message ok = c.awaitStatus(200);
            c.send(SipTestMessages.ack(c, "x", callId, 1, "f", SipTestMessages.tagOf(ok.header("to"))));
            poll(() -> gateway.calls().stream().anyMatch(k -> k.state() == SipCall.State.ANSWERED), "answered");
            media.opened.get(0).onInactive.accept(0);
            RawSipClient.Message bye = c.receive();
            while (bye != null && !bye.isRequest()) bye = c.receive();
            assertNotNull(bye, "no BYE from the gateway");
            assertEquals("BYE", bye.method());
            assertTrue(bye.header("reason").contains("no media"), bye.header("reason"));
            poll(() -> gateway.activeCalls() == 0 && sink.calls().get(0).isClosed(), "call closed");
        }
    }

    @Test
    void accessRulesRefuseOtherSourcesAndOtherUsers() throws Exception {
        start(config().withAccess(List.of("10.0.0.0/8"), "transcribe"));
        try (RawSipClient c = new RawSipClient("udp", gateway.port())) {
            c.send(SipTestMessages.request(c, "INVITE", "transcribe", "c1", 1, "f", null, "application/sdp", SipTestMessages.offer(40000, "0")));
            assertEquals(403, c.awaitStatus(403).status());
        }
        gateway.close();
        start(config().withAccess(List.of("127.0.0.0/8"), "transcribe"));
        try (RawSipClient c = new RawSipClient("udp", gateway.port())) {
            c.send(SipTestMessages.request(c, "INVITE", "someone-else", "c2", 1, "f", null, "application/sdp", SipTestMessages.offer(40000, "0")));
            assertEquals(404, c.awaitStatus(404).status());
            c.send(SipTestMessages.request(c, "INVITE", "transcribe", "c3", 1, "f", null, "application/sdp", SipTestMessages.offer(40000, "0")));
            RawSipClient.Message ok = c.awaitStatus(200);
            assertEquals(200, ok.status());
            c.send(SipTestMessages.ack(c, "transcribe", "c3", 1, "f", SipTestMessages.tagOf(ok.header("to"))));
        }
        assertEquals(0, sink.calls().stream().filter(k -> k.spec.attributes().get("sip.call-id").equals("c2")).count());
    }

    @Test
    void sessionTimerIsGrantedAndTooSmallIntervalsRefused() throws Exception {
        start(config());
        try (RawSipClient c = new RawSipClient("udp", gateway.port())) {
            c.send(SipTestMessages.request(c, "INVITE", "x", "st1", 1, "f", null, "application/sdp", SipTestMessages.offer(40000, "0"),
                    "Supported: timer", "Session-Expires: 30"));
            RawSipClient.Message small = c.awaitStatus(422);
            assertEquals(422, small.status());
            assertEquals("90", small.header("min-se"));
            c.send(SipTestMessages.request(c, "INVITE", "x", "st2", 1, "f", null, "application/sdp", SipTestMessages.offer(40000, "0"),
                    "Supported: timer", "Session-Expires: 600"));
            RawSipClient.Message ok = c.awaitStatus(200);
            assertEquals("600;refresher=uac", ok.header("session-expires"));
            c.send(SipTestMessages.ack(c, "x", "st2", 1, "f", SipTestMessages.tagOf(ok.header("to"))));
        }
    }

    @Test
    void maximumDurationEndsTheCallWithOurBye() throws Exception {
        start(config().withLimits(10, Duration.ofMillis(300)));
        try (RawSipClient c = new RawSipClient("tcp", gateway.port())) {
            c.send(SipTestMessages.request(c, "INVITE", "x", "md1", 1, "f", null, "application/sdp", SipTestMessages.offer(40000, "0")));
            RawSipClient.Message ok = c.awaitStatus(200);
            c.send(SipTestMessages.ack(c, "x", "md1", 1, "f", SipTestMessages.tagOf(ok.header("to"))));
            RawSipClient.Message bye = c.receive();
            while (bye != null && !bye.isRequest()) bye = c.receive();
            assertNotNull(bye, "no BYE from the gateway");
            assertEquals("BYE", bye.method());
            assertTrue(bye.header("reason").contains("maximum call duration"), bye.header("reason"));
            poll(() -> gateway.activeCalls() == 0 && sink.calls().get(0).isClosed(), "call closed");
        }
    }

    @Test
    void updateWithMetadataOnlyRenamesTheStream() throws Exception {
        start(config());
        try (RawSipClient c = new RawSipClient("udp", gateway.port())) {
            String body = SiprecBodies.multipart(SiprecBodies.sdp("127.0.0.1", 41000, 41002), SiprecBodies.metadata("Alice", "Bob"));
            c.send(SipTestMessages.request(c, "INVITE", "rec", "up1", 1, "s", null, "multipart/mixed;boundary=" + SiprecBodies.BOUNDARY,
                    body, "Require: siprec").replaceFirst("(Contact: <[^>]*>)", "$1;+sip.src"));
            RawSipClient.Message ok = c.awaitStatus(200);
            String toTag = SipTestMessages.tagOf(ok.header("to"));
            c.send(SipTestMessages.ack(c, "rec", "up1", 1, "s", toTag));
            c.send(SipTestMessages.request(c, "UPDATE", "rec", "up1", 2, "s", toTag, "application/rs-metadata+xml",
                    SiprecBodies.metadata("Alice Liddell", "Bob")));
            RawSipClient.Message updated = c.awaitStatus(200);
            assertEquals(200, updated.status());
            assertEquals("", updated.body(), "an UPDATE without an offer gets no SDP");
            RecordingCallSink.Call call = sink.calls().get(0);
            poll(() -> call.participants().size() == 3, "Alice reopened under her new name");
            assertEquals("Alice Liddell", call.participants().get(2).spec.displayName());
            assertEquals("sip:alice@atlanta.com", call.participants().get(2).spec.participantId());
            assertTrue(call.participants().get(0).isClosed(), "the old name's stream was closed first");
            c.send(SipTestMessages.request(c, "BYE", "rec", "up1", 3, "s", toTag, null, null));
            assertEquals(200, c.awaitStatus(200).status());
        }
    }

    /**
     * INVITEs from many callers at the same moment, read on several SIP threads: exactly {@code max-calls} are
     * answered, every other one gets 503 with Retry-After, and no more calls than that are ever opened.
     */
    @Test
    void theCallLimitHoldsUnderABurstOfSimultaneousInvites() throws Exception {
        MediaMetrics metrics = new MediaMetrics();
        gateway = new SipGateway(config().withLimits(3, Duration.ofHours(1)), sink, media, metrics);
        int callers = 16;
        List<RawSipClient> clients = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < callers; i++) clients.add(new RawSipClient("udp", gateway.port()));
            CountDownLatch go = new CountDownLatch(1);
            java.util.concurrent.ExecutorService senders = java.util.concurrent.Executors.newFixedThreadPool(callers);
            List<java.util.concurrent.Future<RawSipClient.Message>> answers = new java.util.ArrayList<>();
            for (int i = 0; i < callers; i++) {
                RawSipClient c = clients.get(i);
                String callId = "burst-" + i;
                answers.add(senders.submit(() -> {
                    go.await();
                    c.send(SipTestMessages.request(c, "INVITE", "x", callId, 1, "f", null, "application/sdp",
                            SipTestMessages.offer(40000, "0")));
                    return c.awaitStatus(200);
                }));
            }
            go.countDown();
            int answered = 0;
            int busy = 0;
            for (int i = 0; i < callers; i++) {
                RawSipClient.Message m = answers.get(i).get(30, java.util.concurrent.TimeUnit.SECONDS);
                assertNotNull(m, "caller " + i + " got no answer");
                if (m.status() == 200) {
                    answered++;
                    clients.get(i).send(SipTestMessages.ack(clients.get(i), "x", "burst-" + i, 1, "f", SipTestMessages.tagOf(m.header("to"))));
                } else {
                    assertEquals(503, m.status(), m.startLine());
                    assertEquals("30", m.header("retry-after"));
                    busy++;
                }
            }
            senders.shutdown();
            assertEquals(3, answered);
            assertEquals(callers - 3, busy);
            assertEquals(3, sink.calls().size(), "calls opened");
            assertEquals(callers - 3, metrics.dropCounter("sip").count("rejected-503"));
        } finally {
            for (RawSipClient c : clients) c.close();
        }
    }

    @Test
    void withSiprecOffARecordingSessionGets420() throws Exception {
        start(config().withSiprec(false));
        try (RawSipClient c = new RawSipClient("udp", gateway.port())) {
            String body = SiprecBodies.multipart(SiprecBodies.sdp("127.0.0.1", 41000, 41002), SiprecBodies.metadata("Alice", "Bob"));
            c.send(SipTestMessages.request(c, "INVITE", "recorder", "rec-off-1", 1, "s", null,
                    "multipart/mixed;boundary=" + SiprecBodies.BOUNDARY, body, "Require: siprec"));
            RawSipClient.Message refused = c.awaitStatus(420);
            assertEquals(420, refused.status(), refused.startLine());
            assertEquals("siprec", refused.header("unsupported"));
            // metadata alone (no Require, no +sip.src) makes it a recording session too
            c.send(SipTestMessages.request(c, "INVITE", "recorder", "rec-off-2", 1, "s", null,
                    "multipart/mixed;boundary=" + SiprecBodies.BOUNDARY, body));
            assertEquals(420, c.awaitStatus(420).status());
            // and the gateway says so: no siprec among what it supports
            c.send(SipTestMessages.request(c, "OPTIONS", "x", "opt-1", 1, "o", null, null, null));
            RawSipClient.Message options = c.awaitStatus(200);
            assertEquals("timer", options.header("supported"));
        }
        assertEquals(0, sink.calls().size());
    }

    static void poll(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for: " + what);
            Thread.sleep(10);
        }
    }
}
