package org.streamasr.media.rtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.streamasr.media.MediaMetrics;
import org.streamasr.media.PcmFrame;
import org.streamasr.media.codec.AudioCodec;
import org.streamasr.media.codec.CodecSpec;
import org.streamasr.media.g711.G711;
import org.streamasr.media.pipeline.MediaExecutors;
import org.streamasr.testing.ManualClock;
import org.streamasr.testing.RecordingCallSink;

/** The UDP receiver with real sockets on the loopback interface (ephemeral ports). */
class RtpEndpointsTest {
    final MediaMetrics metrics = new MediaMetrics();
    final MediaExecutors executors = MediaExecutors.create(2);
    RtpEndpoints rtp;

    @AfterEach
    void tearDown() {
        if (rtp != null) rtp.close();
        executors.close();
    }

    static byte[] tone(int n) {
        byte[] b = new byte[160];
        for (int i = 0; i < 160; i++) b[i] = G711.linearToUlaw((short) (6000 * Math.sin((n * 160 + i) * 0.25)));
        return b;
    }

    static void send(DatagramSocket s, int port, byte[] d) throws Exception {
        s.send(new DatagramPacket(d, d.length, new InetSocketAddress(InetAddress.getLoopbackAddress(), port)));
    }

    @Test
    void routesBySsrcFiltersSignallingAndLatchesTheSender() throws Exception {
        rtp = new RtpEndpoints(RtpEndpoints.Config.ephemeral(), executors, metrics);
        RecordingCallSink.Call call = RecordingCallSink.call("call-1");
        AtomicReference<InetSocketAddress> latched = new AtomicReference<>();
        RtpEndpointSpec spec = RtpEndpointSpec.of(PayloadTypeMap.builder().staticType(AudioCodec.PCMU)
                .telephoneEvent(101).build());
        RtpEndpoint ep = rtp.open(spec, call, new RtpEndpoint.Listener() {
            @Override
            public void onRemoteAddress(InetSocketAddress remote) {
                latched.set(remote);
            }
        });
        try (DatagramSocket a = new DatagramSocket(0, InetAddress.getLoopbackAddress());
                DatagramSocket intruder = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            send(a, ep.localPort(), new byte[] {1, 2, 3}); // garbage does not latch
            for (int n = 0; n < 25; n++) {
                send(a, ep.localPort(), TestPackets.pt(0).seq(n).ts(160L * n).ssrc(1).payload(tone(n)).build());
                send(a, ep.localPort(), TestPackets.pt(0).seq(500 + n).ts(160L * n).ssrc(2).payload(tone(n)).build());
            }
            send(a, ep.localPort(), TestPackets.pt(101).seq(99).ts(0).ssrc(1).payload(new byte[4]).build());
            send(a, ep.localPort(), TestPackets.pt(13).seq(99).ts(0).ssrc(1).payload(new byte[1]).build());
            send(a, ep.localPort(), TestPackets.pt(50).seq(99).ts(0).ssrc(1).build());
            send(intruder, ep.localPort(), TestPackets.pt(0).seq(7).ts(0).ssrc(3).build());
            RecordingCallSink.await(5000, "two participants", () -> call.participantIds().size() == 2);
            RecordingCallSink.await(5000, "filters counted", () -> metrics.dropCounter("rtp").count("foreign-source") == 1);
            assertEquals(a.getLocalPort(), latched.get().getPort());
            assertEquals(a.getLocalPort(), ep.remoteAddress().orElseThrow().getPort());
        }
        ep.close();
        var drops = metrics.dropCounter("rtp");
        assertEquals(1, drops.count("truncated-header"));
        assertEquals(1, drops.count("telephone-event"));
        assertEquals(1, drops.count("comfort-noise"));
        assertEquals(1, drops.count("unknown-payload-type"));
        for (String id : new String[] {"ssrc-1", "ssrc-2"}) {
            RecordingCallSink.Participant p = call.participant(id);
            assertTrue(p.isClosed(), "closing the endpoint closes its participants");
            assertEquals(25 * 320, p.contiguousSamples().length, id + ": 25 packets of 8 kHz PCMU, 16 kHz out");
            assertEquals(25 * 320, p.samplesOf(PcmFrame.Kind.AUDIO));
        }
        assertEquals(0, rtp.openEndpoints());
    }

    @Test
    void inactivityIsReportedOnceAndIdleParticipantsAreClosed() throws Exception {
        ManualClock clock = new ManualClock();
        rtp = new RtpEndpoints(RtpEndpoints.Config.ephemeral(), executors.cpu(), clock, clock, metrics);
        RecordingCallSink.Call call = RecordingCallSink.call("call-2");
        AtomicReference<Duration> idle = new AtomicReference<>();
        java.util.concurrent.atomic.AtomicInteger reports = new java.util.concurrent.atomic.AtomicInteger();
        RtpEndpointSpec spec = RtpEndpointSpec.of(PayloadTypeMap.builder().staticType(AudioCodec.PCMU).build())
                .withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(5));
        RtpEndpoint ep = rtp.open(spec, call, new RtpEndpoint.Listener() {
            @Override
            public void onInactive(Duration d) {
                idle.set(d);
                reports.incrementAndGet();
            }
        });
        try (DatagramSocket a = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            send(a, ep.localPort(), TestPackets.pt(0).seq(1).ts(0).ssrc(9).payload(tone(0)).build());
            send(a, ep.localPort(), TestPackets.pt(0).seq(2).ts(160).ssrc(9).payload(tone(1)).build());
            RecordingCallSink.await(5000, "participant", () -> call.participantIds().size() == 1);
            clock.advanceMillis(2500);
            RecordingCallSink.await(5000, "inactivity report", () -> idle.get() != null);
            assertTrue(idle.get().toMillis() >= 2000);
            clock.advanceMillis(3000);
            RecordingCallSink.await(5000, "idle participant closed", () -> call.participant("ssrc-9").isClosed());
            assertEquals(1, reports.get(), "reported once");
            assertTrue(ep.streams().isEmpty());
        }
        ep.close();
    }

    @Test
    void aPacketTransformerRunsBeforeParsing() throws Exception {
        rtp = new RtpEndpoints(RtpEndpoints.Config.ephemeral(), executors, metrics);
        RecordingCallSink.Call call = RecordingCallSink.call("call-3");
        // a stand-in for SRTP: a 4-byte trailer "AUTH" that must be present and is removed
        PacketTransformer auth = (packet, len) -> {
            if (len < 16 || packet[len - 4] != 'A' || packet[len - 1] != 'H') return -1;
            return len - 4;
        };
        RtpEndpoint ep = rtp.open(RtpEndpointSpec.of(PayloadTypeMap.builder().staticType(AudioCodec.PCMA).build())
                .withTransformer(auth), call, RtpEndpoint.Listener.NONE);
        try (DatagramSocket a = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            for (int n = 0; n < 5; n++) {
                byte[] p = TestPackets.pt(8).seq(n).ts(160L * n).ssrc(5).build();
                byte[] signed = java.util.Arrays.copyOf(p, p.length + 4);
                System.arraycopy("AUTH".getBytes(), 0, signed, p.length, 4);
                send(a, ep.localPort(), n == 2 ? p : signed);
            }
            RecordingCallSink.await(5000, "rejected packet counted",
                    () -> metrics.dropCounter("rtp").count("transform-rejected") == 1);
            // the packets after the rejected one may still be on their way to the endpoint's thread: close after all 4
            RecordingCallSink.await(5000, "the 4 accepted packets in the jitter buffer", () -> ep.streams().values().stream()
                    .mapToLong(st -> st.jitterStats().inserted()).sum() == 4);
        }
        ep.close();
        assertEquals(5 * 320, call.participant("ssrc-5").contiguousSamples().length, "4 packets and one concealed loss");
    }

    @Test
    void requestSpecsAreValidatedWithClearMessages() {
        RtpEndpointSpec s = RtpEndpointSpec.forRequest("opus", 111, 48000, 2);
        assertEquals(CodecSpec.of(AudioCodec.OPUS), s.payloadTypes().codec(111).orElseThrow());
        assertEquals(CodecSpec.l16(44100, 2), RtpEndpointSpec.forRequest("L16", 97, 44100, 2).payloadTypes()
                .codec(97).orElseThrow());
        assertEquals(CodecSpec.of(AudioCodec.G722), RtpEndpointSpec.forRequest("g722", null, 16000, null)
                .payloadTypes().codec(9).orElseThrow());
        // without a payload type the port takes the codec under any number the sender picked (ffmpeg's Opus is 97)
        PayloadTypeMap any = RtpEndpointSpec.forRequest("opus", null, null, null).payloadTypes();
        assertEquals(CodecSpec.of(AudioCodec.OPUS), any.codec(96).orElseThrow());
        assertEquals(CodecSpec.of(AudioCodec.OPUS), any.codec(97).orElseThrow());
        assertEquals(PayloadTypeMap.Kind.TELEPHONE_EVENT, any.kind(101));
        assertEquals(PayloadTypeMap.Kind.COMFORT_NOISE, any.kind(13));
        // with one, only that number is audio, and 101 is still telephone-event (unless it is the audio's number)
        PayloadTypeMap named = RtpEndpointSpec.forRequest("opus", 111, null, null).payloadTypes();
        assertEquals(PayloadTypeMap.Kind.UNKNOWN, named.kind(97));
        assertEquals(PayloadTypeMap.Kind.TELEPHONE_EVENT, named.kind(101));
        assertEquals(PayloadTypeMap.Kind.TELEPHONE_EVENT, RtpEndpointSpec.forRequest("PCMU", 0, null, null)
                .payloadTypes().kind(101));
        assertEquals(PayloadTypeMap.Kind.AUDIO, RtpEndpointSpec.forRequest("opus", 101, null, null).payloadTypes()
                .kind(101));
        var e = assertThrows(IllegalArgumentException.class, () -> RtpEndpointSpec.forRequest("speex", null, null, null));
        assertTrue(e.getMessage().contains("rtp.codec"));
        e = assertThrows(IllegalArgumentException.class, () -> RtpEndpointSpec.forRequest("PCMU", 72, null, null));
        assertTrue(e.getMessage().contains("RTCP"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> RtpEndpointSpec.forRequest("PCMU", 0, 16000, null));
        assertTrue(e.getMessage().contains("rtp.sampleRate"), e.getMessage());
    }
}
