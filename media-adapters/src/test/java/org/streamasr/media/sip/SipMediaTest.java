package org.streamasr.media.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.streamasr.media.AudioLevel;
import org.streamasr.media.MediaMetrics;
import org.streamasr.media.PcmFrame;
import org.streamasr.media.codec.AudioCodec;
import org.streamasr.media.g711.G711;
import org.streamasr.media.pipeline.MediaExecutors;
import org.streamasr.media.rtp.RtpEndpoints;
import org.streamasr.media.sip.sdp.MediaDescription;
import org.streamasr.media.sip.sdp.SdpParser;
import org.streamasr.media.sip.sdp.SrtpMode;
import org.streamasr.media.sip.srtp.SdesKey;
import org.streamasr.media.sip.srtp.SrtpSuite;
import org.streamasr.media.sip.srtp.SrtpTestSender;
import org.streamasr.testing.RecordingCallSink;

/** A SIP call whose (S)RTP goes through the real RTP receiver into the call's participant. */
class SipMediaTest {
    /** Long enough that a loaded machine does not reach it by itself; the tests jump the clock past it. */
    private static final Duration RTP_TIMEOUT = Duration.ofSeconds(10);
    private final MediaMetrics metrics = new MediaMetrics();
    private final RecordingCallSink sink = new RecordingCallSink().lenientAfterClose();
    /** Added to the RTP receiver's clock: tests jump it past the inactivity timeout instead of waiting it out. */
    private final AtomicLong rtpClock = new AtomicLong();
    private MediaExecutors executors;
    private RtpEndpoints rtp;
    private SipGateway gateway;
    private HeldReports reports;

    /**
     * The real RTP receivers, with their inactivity reports held back while {@link #hold} is set: a media thread
     * preempted between its report and the hand-over to the call, made to happen when the test wants it.
     */
    private static final class HeldReports implements SipMediaFactory {
        final SipMediaFactory real;
        volatile boolean hold;
        final List<Runnable> held = new java.util.concurrent.CopyOnWriteArrayList<>();

        HeldReports(SipMediaFactory real) {
            this.real = real;
        }

        @Override
        public SipMediaStream open(String callId, org.streamasr.media.sip.sdp.StreamOffer stream,
                                   org.streamasr.media.ParticipantAudio audio, java.util.function.LongConsumer onInactive)
                throws java.io.IOException {
            return real.open(callId, stream, audio, seen -> {
                if (hold) held.add(() -> onInactive.accept(seen));
                else onInactive.accept(seen);
            });
        }
    }

    @BeforeEach
    void start() throws Exception {
        executors = MediaExecutors.create(2);
        rtp = new RtpEndpoints(RtpEndpoints.Config.ephemeral(), executors.cpu(), executors.mediaTimer(),
                () -> System.nanoTime() + rtpClock.get(), metrics);
        gateway = new SipGateway(SipGatewayConfig.defaults(0).withBind("127.0.0.1", 0)
                .withMedia(List.of(AudioCodec.PCMU, AudioCodec.PCMA), SrtpMode.OPTIONAL), sink,
                reports = new HeldReports(new RtpSipMedia(rtp, spec -> spec, RTP_TIMEOUT, metrics)), metrics);
    }

    @AfterEach
    void stop() {
        gateway.close();
        rtp.close();
        executors.close();
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void rtpAndSrtpReachTheCallersStream(boolean srtp) throws Exception {
        SdesKey ours = SdesKey.generate(1, SrtpSuite.AES_CM_128_HMAC_SHA1_80, new SecureRandom());
        String sdp = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
                + "m=audio 40000 " + (srtp ? "RTP/SAVP" : "RTP/AVP") + " 0 101\r\na=rtpmap:101 telephone-event/8000\r\n"
                + (srtp ? "a=crypto:" + ours.toAttributeValue() + "\r\n" : "");
        try (RawSipClient c = new RawSipClient("udp", gateway.port());
             DatagramSocket media = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            Answered answered = call(c, sdp);

            SrtpTestSender sender = srtp ? new SrtpTestSender(ours, 0x5eed) : null;
            try {
                for (int i = 0; i < 50; i++) {
                    byte[] packet = pcmuPacket(i, 0x5eed);
                    if (sender != null) packet = sender.protect(packet);
                    sendTo(media, answered.rtpPort(), packet);
                }
            } finally {
                if (sender != null) sender.close();
            }
            RecordingCallSink.Call call = sink.calls().get(0);
            SipGatewayTest.poll(() -> call.participants().get(0).frames().size() >= 40, "audio frames reached the participant");
            assertEquals(0, metrics.dropCounter("srtp").total(), metrics.drops().toString());

            c.send(SipTestMessages.request(c, "BYE", "x", answered.callId(), 2, "f", answered.toTag(), null, null));
            assertEquals(200, c.awaitStatus(200).status());
            SipGatewayTest.poll(() -> call.isClosed() && rtp.openEndpoints() == 0, "call and RTP port closed");
            assertTrue(call.participants().get(0).isClosed());
        }
    }

    /**
     * The RFC 6464 audio level from SDP to the frame: the offer's {@code a=extmap} id is answered, the receiver reads
     * the level under that id from each packet, and each frame of the packet's audio carries it (and the V flag).
     */
    @Test
    void theAudioLevelNegotiatedInSdpTravelsWithTheFrames() throws Exception {
        String sdp = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
                + "m=audio 40000 RTP/AVP 0\r\na=extmap:1 urn:ietf:params:rtp-hdrext:sdes:mid\r\n"
                + "a=extmap:3/sendonly urn:ietf:params:rtp-hdrext:ssrc-audio-level vad=on\r\n";
        int packets = 30;
        try (RawSipClient c = new RawSipClient("udp", gateway.port());
             DatagramSocket media = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            Answered answered = call(c, sdp);
            assertEquals(List.of("3/recvonly urn:ietf:params:rtp-hdrext:ssrc-audio-level"), answered.answer().attributes("extmap"));

            for (int i = 0; i < packets; i++) {
                // the level under the negotiated id 3, and under id 1 something else (a mid) that must not be read
                byte[] packet = withExtension(pcmuPacket(i, 0x5eed), (byte) 0x10, (byte) 'a', (byte) 0x30,
                        (byte) ((i % 2 == 0 ? 0x80 : 0) | levelOf(i)));
                sendTo(media, answered.rtpPort(), packet);
            }
            RecordingCallSink.Call call = sink.calls().get(0);
            SipGatewayTest.poll(() -> call.participants().get(0).frames().size() >= packets, "audio frames reached the participant");
            c.send(SipTestMessages.request(c, "BYE", "x", answered.callId(), 2, "f", answered.toTag(), null, null));
            assertEquals(200, c.awaitStatus(200).status());
            SipGatewayTest.poll(() -> call.isClosed() && rtp.openEndpoints() == 0, "call and RTP port closed");

            List<AudioLevel> levels = new ArrayList<>();
            for (PcmFrame f : call.participants().get(0).frames()) {
                assertEquals(PcmFrame.Kind.AUDIO, f.kind(), "a clean stream");
                if (levels.isEmpty() || !levels.get(levels.size() - 1).equals(f.senderLevel())) levels.add(f.senderLevel());
            }
            List<AudioLevel> sent = new ArrayList<>();
            for (int i = 0; i < packets; i++) sent.add(AudioLevel.of(levelOf(i), i % 2 == 0));
            assertEquals(sent, levels, "each packet's level on the frames of its audio, in order");
            assertEquals(0, metrics.dropCounter("rtp").total(), metrics.drops().toString());
        }
    }

    /** Distinct from one packet to the next, so that the order of levels on the frames is checked. */
    private static int levelOf(int packet) {
        return (packet * 37) % 128;
    }

    /** The packet with an RFC 8285 one-byte extension block holding {@code elements} (padded to 32 bits). */
    private static byte[] withExtension(byte[] rtp, byte... elements) {
        int words = (elements.length + 3) / 4;
        byte[] out = new byte[rtp.length + 4 + 4 * words];
        System.arraycopy(rtp, 0, out, 0, 12);
        out[0] |= 0x10;
        out[12] = (byte) 0xBE;
        out[13] = (byte) 0xDE;
        out[15] = (byte) words;
        System.arraycopy(elements, 0, out, 16, elements.length);
        System.arraycopy(rtp, 12, out, 16 + 4 * words, rtp.length - 12);
        return out;
    }

    /**
     * A-law end to end: the offer has PCMA only, the answer picks it, and a 440 Hz tone sent as PCMA RTP reaches the
     * caller's stream at 16 kHz as that tone (its level kept, nothing else in it), not as noise from a wrong decoder.
     */
    @Test
    void pcmaIsNegotiatedAndDecodedToTheTone() throws Exception {
        try (RawSipClient c = new RawSipClient("udp", gateway.port());
             DatagramSocket media = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            String sdp = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 8\r\n";
            Answered call = call(c, sdp);
            for (int i = 0; i < 50; i++) sendTo(media, call.rtpPort(), g711Packet(i, 0xa1a1, 8));
            RecordingCallSink.Call recorded = sink.calls().get(0);
            SipGatewayTest.poll(() -> recorded.participants().get(0).samplesOf(PcmFrame.Kind.AUDIO) >= 40 * 320, "audio decoded");
            short[] pcm = recorded.participants().get(0).contiguousSamples();
            short[] middle = java.util.Arrays.copyOfRange(pcm, 1600, 1600 + 8000); // half a second, away from the edges
            double tone = goertzelAmplitude(middle, 440, 16_000);
            double rms = Math.sqrt(java.util.Arrays.stream(toDoubles(middle)).map(v -> v * v).average().orElse(0));
            assertEquals(8000, tone, 400, "440 Hz amplitude");
            double residual = Math.sqrt(Math.max(0, rms * rms - tone * tone / 2));
            assertTrue(20 * Math.log10(tone / Math.sqrt(2) / residual) > 30, "signal to noise above 30 dB: rms " + rms + ", tone " + tone);
            c.send(SipTestMessages.request(c, "BYE", "x", call.callId, 2, "f", call.toTag, null, null));
            assertEquals(200, c.awaitStatus(200).status());
        }
    }

    /** The amplitude of {@code hz} in {@code x} (Goertzel at that one frequency). */
    private static double goertzelAmplitude(short[] x, double hz, int rate) {
        double w = 2 * Math.PI * hz / rate;
        double re = 0;
        double im = 0;
        for (int n = 0; n < x.length; n++) {
            re += x[n] * Math.cos(w * n);
            im -= x[n] * Math.sin(w * n);
        }
        return 2 * Math.hypot(re, im) / x.length;
    }

    private static double[] toDoubles(short[] x) {
        double[] d = new double[x.length];
        for (int i = 0; i < x.length; i++) d[i] = x[i];
        return d;
    }

    /**
     * The whole chain with nothing fired by hand: the RTP receiver's inactivity report (asr.sip.rtp-timeout) reaches
     * the call through RtpSipMedia, and the gateway hangs up with BYE.
     */
    @Test
    void noRtpForTheTimeoutEndsTheCallWithOurBye() throws Exception {
        try (RawSipClient c = new RawSipClient("udp", gateway.port());
             DatagramSocket media = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            Answered call = call(c, offer("sendrecv"));
            for (int i = 0; i < 10; i++) sendTo(media, call.rtpPort(), pcmuPacket(i, 0x77));
            RecordingCallSink.Call recorded = sink.calls().get(0);
            SipGatewayTest.poll(() -> recorded.participants().get(0).frames().size() >= 5, "media flowing");
            rtpClock.addAndGet(RTP_TIMEOUT.toNanos());
            RawSipClient.Message bye = awaitRequest(c);
            assertEquals("BYE", bye.method());
            assertTrue(bye.header("reason").contains("no media"), bye.header("reason"));
            SipGatewayTest.poll(() -> gateway.activeCalls() == 0 && recorded.isClosed() && rtp.openEndpoints() == 0, "call and port closed");
        }
    }

    /**
     * On hold (answered inactive) the media timeout does not end the call; after the resume it is started afresh, so
     * a resumed call that then sends nothing is still hung up.
     */
    @Test
    void aResumedCallThatSendsNothingIsStillTimedOut() throws Exception {
        try (RawSipClient c = new RawSipClient("udp", gateway.port())) {
            List<RawSipClient.Message> requests = new ArrayList<>();
            Answered call = callPutOnHold(c, requests);
            rtpClock.addAndGet(RTP_TIMEOUT.toNanos() * 2);
            SipGatewayTest.poll(() -> metrics.counter("rtp.endpoints.inactive").sum() >= 1, "the receiver reported no media");
            assertEquals("a=recvonly", reInvite(c, call, 3, offer("sendrecv"), requests));
            assertEquals(List.of(), requests.stream().map(RawSipClient.Message::method).toList(), "no BYE while on hold");
            rtpClock.addAndGet(RTP_TIMEOUT.toNanos() + 1);
            RawSipClient.Message bye = awaitRequest(c);
            assertEquals("BYE", bye.method());
            assertTrue(bye.header("reason").contains("no media"), bye.header("reason"));
            assertEquals(2, metrics.counter("rtp.endpoints.inactive").sum(), "reported again after the resume");
        }
    }

    /**
     * The report the receiver made while the call was on hold reaches the call only after the resume (its media
     * thread was slow): it is older than the resume's restart of the timeout, so it does not end the call; the next
     * one, made after the restart, does.
     */
    @Test
    void aReportMadeOnHoldThatArrivesAfterTheResumeDoesNotEndTheCall() throws Exception {
        try (RawSipClient c = new RawSipClient("udp", gateway.port())) {
            List<RawSipClient.Message> requests = new ArrayList<>();
            Answered call = callPutOnHold(c, requests);
            reports.hold = true;
            rtpClock.addAndGet(RTP_TIMEOUT.toNanos() * 2);
            SipGatewayTest.poll(() -> reports.held.size() == 1, "the receiver reported no media while on hold");
            assertEquals("a=recvonly", reInvite(c, call, 3, offer("sendrecv"), requests));
            reports.hold = false;
            reports.held.forEach(Runnable::run);
            // the call's task queue runs the late report before it answers this re-INVITE
            assertEquals("a=recvonly", reInvite(c, call, 4, offer("sendrecv"), requests));
            assertEquals(List.of(), requests.stream().map(RawSipClient.Message::method).toList(),
                    "no BYE for a report made before the resume");
            assertEquals(1, sink.calls().size());
            assertTrue(!sink.calls().get(0).isClosed(), "the resumed call goes on");
            rtpClock.addAndGet(RTP_TIMEOUT.toNanos() + 1);
            RawSipClient.Message bye = awaitRequest(c);
            assertEquals("BYE", bye.method());
            assertTrue(bye.header("reason").contains("no media"), bye.header("reason"));
            assertEquals(2, metrics.counter("rtp.endpoints.inactive").sum());
        }
    }

    /** An answered call: its dialog, and the answer's (first) audio stream. */
    private record Answered(String callId, String toTag, MediaDescription answer) {
        int rtpPort() {
            return answer.port();
        }
    }

    private static String offer(String direction) {
        return "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\na=" + direction + "\r\n";
    }

    private static Answered call(RawSipClient c, String sdp) throws Exception {
        String callId = UUID.randomUUID().toString();
        c.send(SipTestMessages.request(c, "INVITE", "x", callId, 1, "f", null, "application/sdp", sdp));
        RawSipClient.Message ok = c.awaitStatus(200);
        assertEquals(200, ok.status(), String.valueOf(ok));
        String toTag = SipTestMessages.tagOf(ok.header("to"));
        c.send(SipTestMessages.ack(c, "x", callId, 1, "f", toTag));
        return new Answered(callId, toTag, SdpParser.parse(ok.body()).media().get(0));
    }

    /** A call answered sendrecv, then put on hold by a re-INVITE (CSeq 2) that is answered inactive. */
    private static Answered callPutOnHold(RawSipClient c, List<RawSipClient.Message> requests) throws Exception {
        Answered call = call(c, offer("sendrecv"));
        assertEquals("a=inactive", reInvite(c, call, 2, offer("inactive"), requests));
        return call;
    }

    /** Sends a re-INVITE, ACKs its 200, and returns the answer's direction line; requests met on the way are kept. */
    private static String reInvite(RawSipClient c, Answered call, int cseq, String sdp, List<RawSipClient.Message> requests)
            throws Exception {
        c.send(SipTestMessages.request(c, "INVITE", "x", call.callId, cseq, "f", call.toTag, "application/sdp", sdp));
        RawSipClient.Message m = c.receive();
        while (m != null && (m.isRequest() || m.status() < 200)) {
            if (m.isRequest()) requests.add(m);
            m = c.receive();
        }
        assertEquals(200, m == null ? -1 : m.status(), "re-INVITE answered");
        c.send(SipTestMessages.ack(c, "x", call.callId, cseq, "f", call.toTag));
        return m.body().lines().filter(l -> l.matches("a=(sendrecv|sendonly|recvonly|inactive)")).findFirst().orElse("");
    }

    private static RawSipClient.Message awaitRequest(RawSipClient c) throws Exception {
        RawSipClient.Message m = c.receive();
        while (m != null && !m.isRequest()) m = c.receive();
        assertNotNull(m, "no request from the gateway");
        return m;
    }

    private static void sendTo(DatagramSocket socket, int port, byte[] packet) throws Exception {
        socket.send(new DatagramPacket(packet, packet.length, new InetSocketAddress(InetAddress.getLoopbackAddress(), port)));
    }

    /** 20 ms of a 440 Hz tone as PCMU. */
    private static byte[] pcmuPacket(int seq, int ssrc) {
        return g711Packet(seq, ssrc, 0);
    }

    /** 20 ms of a 440 Hz tone at amplitude 8000 as PCMU (payload type 0) or PCMA (8). */
    private static byte[] g711Packet(int seq, int ssrc, int payloadType) {
        byte[] p = new byte[12 + 160];
        p[0] = (byte) 0x80;
        p[1] = (byte) payloadType;
        p[2] = (byte) (seq >> 8);
        p[3] = (byte) seq;
        long ts = seq * 160L;
        for (int i = 0; i < 4; i++) p[4 + i] = (byte) (ts >> (24 - 8 * i));
        for (int i = 0; i < 4; i++) p[8 + i] = (byte) (ssrc >> (24 - 8 * i));
        for (int i = 0; i < 160; i++) {
            double t = (seq * 160 + i) / 8000.0;
            short v = (short) (8000 * Math.sin(2 * Math.PI * 440 * t));
            p[12 + i] = payloadType == 8 ? G711.linearToAlaw(v) : G711.linearToUlaw(v);
        }
        return p;
    }
}
