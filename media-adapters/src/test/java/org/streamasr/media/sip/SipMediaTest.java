package org.streamasr.media.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.streamasr.media.MediaMetrics;
import org.streamasr.media.codec.AudioCodec;
import org.streamasr.media.g711.G711;
import org.streamasr.media.pipeline.MediaExecutors;
import org.streamasr.media.rtp.RtpEndpoints;
import org.streamasr.media.sip.sdp.SdpParser;
import org.streamasr.media.sip.sdp.SrtpMode;
import org.streamasr.media.sip.srtp.SdesKey;
import org.streamasr.media.sip.srtp.SrtpSuite;
import org.streamasr.media.sip.srtp.SrtpTestSender;
import org.streamasr.testing.RecordingCallSink;

/** A SIP call whose (S)RTP goes through the real RTP receiver into the call's participant. */
class SipMediaTest {
    private final MediaMetrics metrics = new MediaMetrics();
    private final RecordingCallSink sink = new RecordingCallSink().lenientAfterClose();
    private MediaExecutors executors;
    private RtpEndpoints rtp;
    private SipGateway gateway;

    @BeforeEach
    void start() throws Exception {
        executors = MediaExecutors.create(2);
        rtp = new RtpEndpoints(RtpEndpoints.Config.ephemeral(), executors, metrics);
        gateway = new SipGateway(SipGatewayConfig.defaults(0).withBind("127.0.0.1", 0)
                .withMedia(List.of(AudioCodec.PCMU), SrtpMode.OPTIONAL), sink,
                new RtpSipMedia(rtp, spec -> spec, Duration.ofSeconds(10), metrics), metrics);
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
            String callId = UUID.randomUUID().toString();
            c.send(SipTestMessages.request(c, "INVITE", "x", callId, 1, "f", null, "application/sdp", sdp));
            RawSipClient.Message ok = c.awaitStatus(200);
            assertEquals(200, ok.status(), String.valueOf(ok));
            String toTag = SipTestMessages.tagOf(ok.header("to"));
            c.send(SipTestMessages.ack(c, "x", callId, 1, "f", toTag));
            int port = SdpParser.parse(ok.body()).media().get(0).port();

            SrtpTestSender sender = srtp ? new SrtpTestSender(ours, 0x5eed) : null;
            try {
                for (int i = 0; i < 50; i++) {
                    byte[] packet = pcmuPacket(i, 0x5eed);
                    if (sender != null) packet = sender.protect(packet);
                    media.send(new DatagramPacket(packet, packet.length, new InetSocketAddress(InetAddress.getLoopbackAddress(), port)));
                }
            } finally {
                if (sender != null) sender.close();
            }
            RecordingCallSink.Call call = sink.calls().get(0);
            SipGatewayTest.poll(() -> call.participants().get(0).frames().size() >= 40, "audio frames reached the participant");
            assertEquals(0, metrics.dropCounter("srtp").total(), metrics.drops().toString());

            c.send(SipTestMessages.request(c, "BYE", "x", callId, 2, "f", toTag, null, null));
            assertEquals(200, c.awaitStatus(200).status());
            SipGatewayTest.poll(() -> call.isClosed() && rtp.openEndpoints() == 0, "call and RTP port closed");
            assertTrue(call.participants().get(0).isClosed());
        }
    }

    /**
     * The RFC 6464 audio level from SDP to the frame: the offer's {@code a=extmap} id is answered, the receiver reads
     * the level under that id from each packet, and each frame of the packet's audio carries it (and the V flag).
     */
    @org.junit.jupiter.api.Test
    void theAudioLevelNegotiatedInSdpTravelsWithTheFrames() throws Exception {
        String sdp = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
                + "m=audio 40000 RTP/AVP 0\r\na=extmap:1 urn:ietf:params:rtp-hdrext:sdes:mid\r\n"
                + "a=extmap:3/sendonly urn:ietf:params:rtp-hdrext:ssrc-audio-level vad=on\r\n";
        int packets = 30;
        try (RawSipClient c = new RawSipClient("udp", gateway.port());
             DatagramSocket media = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            String callId = UUID.randomUUID().toString();
            c.send(SipTestMessages.request(c, "INVITE", "x", callId, 1, "f", null, "application/sdp", sdp));
            RawSipClient.Message ok = c.awaitStatus(200);
            assertEquals(200, ok.status(), String.valueOf(ok));
            String toTag = SipTestMessages.tagOf(ok.header("to"));
            c.send(SipTestMessages.ack(c, "x", callId, 1, "f", toTag));
            var answered = SdpParser.parse(ok.body()).media().get(0);
            assertEquals(List.of("3/recvonly urn:ietf:params:rtp-hdrext:ssrc-audio-level"), answered.attributes("extmap"));

            for (int i = 0; i < packets; i++) {
                // the level under the negotiated id 3, and under id 1 something else (a mid) that must not be read
                byte[] packet = withExtension(pcmuPacket(i, 0x5eed), (byte) 0x10, (byte) 'a', (byte) 0x30,
                        (byte) ((i % 2 == 0 ? 0x80 : 0) | levelOf(i)));
                media.send(new DatagramPacket(packet, packet.length, new InetSocketAddress(InetAddress.getLoopbackAddress(), answered.port())));
            }
            RecordingCallSink.Call call = sink.calls().get(0);
            SipGatewayTest.poll(() -> call.participants().get(0).frames().size() >= packets, "audio frames reached the participant");
            c.send(SipTestMessages.request(c, "BYE", "x", callId, 2, "f", toTag, null, null));
            assertEquals(200, c.awaitStatus(200).status());
            SipGatewayTest.poll(() -> call.isClosed() && rtp.openEndpoints() == 0, "call and RTP port closed");

            List<org.streamasr.media.AudioLevel> levels = new java.util.ArrayList<>();
            for (org.streamasr.media.PcmFrame f : call.participants().get(0).frames()) {
                assertEquals(org.streamasr.media.PcmFrame.Kind.AUDIO, f.kind(), "a clean stream");
                if (levels.isEmpty() || !levels.get(levels.size() - 1).equals(f.senderLevel())) levels.add(f.senderLevel());
            }
            List<org.streamasr.media.AudioLevel> sent = new java.util.ArrayList<>();
            for (int i = 0; i < packets; i++) sent.add(org.streamasr.media.AudioLevel.of(levelOf(i), i % 2 == 0));
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

    /** 20 ms of a 440 Hz tone as PCMU. */
    private static byte[] pcmuPacket(int seq, int ssrc) {
        byte[] p = new byte[12 + 160];
        p[0] = (byte) 0x80;
        p[2] = (byte) (seq >> 8);
        p[3] = (byte) seq;
        long ts = seq * 160L;
        for (int i = 0; i < 4; i++) p[4 + i] = (byte) (ts >> (24 - 8 * i));
        for (int i = 0; i < 4; i++) p[8 + i] = (byte) (ssrc >> (24 - 8 * i));
        for (int i = 0; i < 160; i++) {
            double t = (seq * 160 + i) / 8000.0;
            p[12 + i] = G711.linearToUlaw((short) (8000 * Math.sin(2 * Math.PI * 440 * t)));
        }
        return p;
    }
}
