package org.streamasr.media.rtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.streamasr.media.AudioLevel;
import org.streamasr.media.MediaMetrics;
import org.streamasr.media.ParticipantSpec;
import org.streamasr.media.PcmFrame;
import org.streamasr.media.codec.AudioCodec;
import org.streamasr.testing.ManualClock;
import org.streamasr.testing.RecordingCallSink;

/** Routing and filtering of one call's datagrams, without sockets, on an injected clock. */
class RtpSessionTest {
    final ManualClock clock = new ManualClock();
    final MediaMetrics metrics = new MediaMetrics();
    final RecordingCallSink.Call call = RecordingCallSink.call("s1");
    static final InetSocketAddress A = new InetSocketAddress(InetAddress.getLoopbackAddress(), 4000);
    static final InetSocketAddress B = new InetSocketAddress(InetAddress.getLoopbackAddress(), 4002);

    RtpSession session(RtpEndpointSpec spec, RtpEndpoint.Listener listener) {
        return new RtpSession(spec, call, listener, Runnable::run, clock, clock, metrics);
    }

    static RtpEndpointSpec pcmu() {
        return RtpEndpointSpec.of(PayloadTypeMap.builder().staticType(AudioCodec.PCMU).build());
    }

    static void send(RtpSession s, InetSocketAddress from, long ssrc, int seq) {
        byte[] d = TestPackets.pt(0).seq(seq).ts(160L * seq).ssrc(ssrc).build();
        s.receive(d, d.length, from);
    }

    @Test
    void inactivityIsReportedOnceUntilAPacketOrARestartStartsTheTimeoutAgain() {
        List<java.time.Duration> reports = new ArrayList<>();
        RtpSession s = session(pcmu().withTimeouts(java.time.Duration.ofSeconds(2), java.time.Duration.ofDays(1)),
                new RtpEndpoint.Listener() {
                    @Override
                    public void onInactive(java.time.Duration idle) {
                        reports.add(idle);
                    }
                });
        clock.advanceMillis(1_999);
        s.housekeeping();
        assertEquals(0, reports.size());
        clock.advanceMillis(1);
        s.housekeeping();
        clock.advanceMillis(5_000);
        s.housekeeping();
        assertEquals(1, reports.size(), "reported once");
        s.restartInactivityTimer(); // e.g. a stream coming off hold
        clock.advanceMillis(1_999);
        s.housekeeping();
        assertEquals(1, reports.size(), "the timeout counts from the restart");
        clock.advanceMillis(1);
        s.housekeeping();
        assertEquals(List.of(java.time.Duration.ofSeconds(2), java.time.Duration.ofSeconds(2)), reports);
        s.close();
    }

    @Test
    void aSenderThatRestartsWithANewSsrcContinuesTheSameParticipant() {
        RtpSession s = session(pcmu().withParticipants(ParticipantResolver.single(ParticipantSpec.of("caller"))), null);
        for (int i = 0; i < 10; i++) {
            send(s, A, 111, 100 + i);
            clock.advanceMillis(20);
        }
        for (int i = 0; i < 10; i++) { // new SSRC, new sequence and timestamp space, no pause
            send(s, A, 222, 9000 + i);
            clock.advanceMillis(20);
        }
        clock.advanceMillis(200);
        RtpStream stream = s.streams().get("caller");
        s.close();
        RecordingCallSink.Participant p = call.participant("caller");
        assertEquals(20 * 320, p.contiguousSamples().length, "nothing lost in the switch, timeline contiguous");
        assertEquals(20 * 320, p.samplesOf(PcmFrame.Kind.AUDIO));
        assertEquals(1, stream.jitterStats().restarts());
        assertEquals(0, metrics.dropCounter("rtp").count("ssrc-conflict"));
    }

    @Test
    void twoSourcesAtOnceNeverFlapTheActiveOneKeepsTheParticipant() {
        RtpSession s = session(pcmu().withParticipants(ParticipantResolver.single(ParticipantSpec.of("caller"))), null);
        for (int i = 0; i < 40; i++) {
            send(s, A, 111, i);
            send(s, A, 333, 5000 + i);
            clock.advanceMillis(20);
        }
        RtpStream stream = s.streams().get("caller");
        s.close();
        assertEquals(40 * 320, call.participant("caller").contiguousSamples().length);
        assertEquals(0, stream.jitterStats().restarts(), "never switched");
        assertTrue(metrics.dropCounter("rtp").count("ssrc-conflict") > 0);
    }

    @Test
    void eachSsrcIsAParticipantUpToTheLimit() {
        RtpSession s = session(pcmu().withMaxStreams(2), null);
        for (int i = 0; i < 5; i++) {
            for (long ssrc = 1; ssrc <= 3; ssrc++) send(s, A, ssrc, i);
            clock.advanceMillis(20);
        }
        s.close();
        assertEquals(2, call.participantIds().size());
        // the third source's first packet arrives while all three are still on probation; its other four are refused
        assertEquals(4, metrics.dropCounter("rtp").count("too-many-streams"));
    }

    @Test
    void theFirstSenderIsLatchedAndANewOneMayTakeOverAfterItFallsSilent() {
        List<InetSocketAddress> latched = new ArrayList<>();
        RtpSession s = session(pcmu(), new RtpEndpoint.Listener() {
            @Override
            public void onRemoteAddress(InetSocketAddress remote) {
                latched.add(remote);
            }
        });
        send(s, A, 1, 0);
        send(s, B, 2, 0);
        assertEquals(1, metrics.dropCounter("rtp").count("foreign-source"));
        clock.advanceMillis(RtpSession.RELATCH_MILLIS);
        send(s, B, 2, 1);
        assertEquals(List.of(A, B), latched);
        assertEquals(B, s.remoteAddress().orElseThrow());
        s.close();
    }

    @Test
    void aFailingPacketHookCostsOnlyItsPacket() {
        int[] calls = {0};
        PacketTransformer flaky = (packet, len) -> {
            if (calls[0]++ == 3) throw new IllegalStateException("SRTP context not ready");
            return len;
        };
        RtpSession s = session(pcmu().withTransformer(flaky), null);
        for (int i = 0; i < 10; i++) {
            send(s, A, 5, i);
            clock.advanceMillis(20);
        }
        clock.advanceMillis(200);
        s.close();
        assertEquals(1, metrics.dropCounter("rtp").count("error-IllegalStateException"));
        assertEquals(10 * 320, call.participant("ssrc-5").contiguousSamples().length, "9 packets and one concealed");
        assertEquals(320, call.participant("ssrc-5").samplesOf(PcmFrame.Kind.CONCEALED));
    }

    /**
     * A request that names its payload type ({"codec":"PCMU","payloadType":0}) still treats 101 as DTMF: its
     * RFC 4733 events are counted as telephone-event, not unknown-payload-type, and the audio around them is whole.
     */
    @Test
    void telephoneEventIsRecognisedWhenThePayloadTypeIsExplicit() {
        RtpSession s = session(RtpEndpointSpec.forRequest("PCMU", 0, null, null), null);
        for (int i = 0; i < 10; i++) {
            send(s, A, 5, i);
            byte[] dtmf = TestPackets.pt(101).seq(500 + i).ts(160L * i).ssrc(5).payload(new byte[] {5, 10, 0, (byte) 160}).build();
            s.receive(dtmf, dtmf.length, A);
            clock.advanceMillis(20);
        }
        byte[] other = TestPackets.pt(8).seq(99).ts(0).ssrc(5).build();
        s.receive(other, other.length, A);
        clock.advanceMillis(200);
        s.close();
        var drops = metrics.dropCounter("rtp");
        assertEquals(10, drops.count("telephone-event"), drops.snapshot().toString());
        assertEquals(1, drops.count("unknown-payload-type"), "only PT 8, which the request did not name: " + drops.snapshot());
        assertEquals(10 * 320, call.participant("ssrc-5").samplesOf(PcmFrame.Kind.AUDIO));
    }

    /**
     * {"rtp": {"codec": "PCMU", "audioLevelExtension": 2}}: the level under id 2 (two-byte form here) travels on the
     * frames of each packet's audio; a lost packet's concealment has none; a packet without the extension has none.
     */
    @Test
    void theRequestedAudioLevelExtensionTravelsWithTheFrames() {
        RtpSession s = session(RtpEndpointSpec.forRequest("PCMU", 0, null, null, 2), null);
        List<AudioLevel> sent = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            clock.advanceMillis(20);
            if (i == 6) continue; // lost: concealed
            AudioLevel level = i == 9 ? AudioLevel.NONE : AudioLevel.of(10 * i, i < 5);
            TestPackets t = TestPackets.pt(0).seq(i).ts(160L * i).ssrc(5);
            if (level.isKnown()) t.twoByteExtension(2, (byte) ((level.voice() ? 0x80 : 0) | level.minusDbov()));
            else t.twoByteExtension(7, (byte) 99); // another extension only
            byte[] d = t.build();
            s.receive(d, d.length, A);
            sent.add(level);
        }
        clock.advanceMillis(200);
        s.close();
        List<AudioLevel> audio = new ArrayList<>();
        for (PcmFrame f : call.participant("ssrc-5").frames()) {
            if (f.kind() != PcmFrame.Kind.AUDIO) {
                assertEquals(AudioLevel.NONE, f.senderLevel(), "made-up audio has no sender level: " + f.kind());
                continue;
            }
            if (audio.isEmpty() || !audio.get(audio.size() - 1).equals(f.senderLevel())) audio.add(f.senderLevel());
        }
        assertEquals(sent, audio);
        assertEquals(320, call.participant("ssrc-5").samplesOf(PcmFrame.Kind.CONCEALED));

        var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> RtpEndpointSpec.forRequest("PCMU", 0, null, null, 15));
        assertTrue(e.getMessage().contains("rtp.audioLevelExtension"), e.getMessage());
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> RtpEndpointSpec.forRequest("PCMU", 0, null, null, 0));
        assertEquals(255, RtpEndpointSpec.forRequest("opus", null, null, null, 255).audioLevelExtensionId());
        assertEquals(0, RtpEndpointSpec.forRequest("opus", null, null, null).audioLevelExtensionId());
    }

    @Test
    void garbageFromTheLatchedSenderNeverBreaksTheSession() {
        RtpSession s = session(pcmu(), null);
        java.util.Random rnd = new java.util.Random(3);
        byte[] good = TestPackets.pt(0).seq(1).ts(160).ssrc(7).build();
        for (int i = 0; i < 2000; i++) {
            byte[] m = FuzzCorpus.mutate(good, rnd);
            s.receive(m, m.length, A);
        }
        for (int i = 0; i < 2000; i++) { // and random datagrams, not derived from any packet
            byte[] m = i % 2 == 0 ? FuzzCorpus.random(rnd) : FuzzCorpus.randomVersion2(rnd);
            s.receive(m, m.length, A);
        }
        for (int i = 0; i < 10; i++) {
            send(s, A, 99, 1000 + i);
            clock.advanceMillis(20);
        }
        clock.advanceMillis(200);
        s.close();
        assertEquals(10 * 320, call.participant("ssrc-99").samplesOf(PcmFrame.Kind.AUDIO));
    }
}
