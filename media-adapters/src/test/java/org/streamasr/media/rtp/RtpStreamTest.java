package org.streamasr.media.rtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.streamasr.media.MediaMetrics;
import org.streamasr.media.PcmFrame;
import org.streamasr.media.codec.AudioCodec;
import org.streamasr.media.codec.CodecSpec;
import org.streamasr.media.g711.G711;
import org.streamasr.media.opus.OpusFrameDecoder;
import org.streamasr.media.opus.OpusFrameEncoder;
import org.streamasr.media.pipeline.MediaTimeline;
import org.streamasr.testing.LeakCheckExtension;
import org.streamasr.testing.ManualClock;
import org.streamasr.testing.RecordingCallSink;
import org.streamasr.testing.TestSignals;

/** The per-participant pipeline without sockets: packets in on an injected clock, frames out. */
class RtpStreamTest {
    static final long MS = 1_000_000L;
    final ManualClock clock = new ManualClock();
    final MediaMetrics metrics = new MediaMetrics();
    final RecordingCallSink.Call call = RecordingCallSink.call("c1");
    final RecordingCallSink.Participant out = (RecordingCallSink.Participant) call.openParticipant(
            org.streamasr.media.ParticipantSpec.of("p1"));
    final RtpParser parser = new RtpParser(metrics.dropCounter("rtp"), 0);

    @BeforeAll
    static void track() {
        LeakCheckExtension.track("opus decoders", OpusFrameDecoder::openCount);
    }

    RtpStream stream(PayloadTypeMap types) {
        return RtpStream.open("p1", out, new MediaTimeline(), types, RtpStreamConfig.DEFAULT, Runnable::run, clock,
                clock, metrics);
    }

    void send(RtpStream s, byte[] datagram) {
        RtpPacket p = parser.parse(datagram, datagram.length, clock.getAsLong());
        if (p != null) s.offer(p);
    }

    static List<byte[]> opusPackets(int count, boolean fec) {
        short[] pcm = TestSignals.voiced(16000, count * 320, 5000);
        List<byte[]> packets = new java.util.ArrayList<>();
        try (OpusFrameEncoder enc = new OpusFrameEncoder(16000, 24000, fec ? 20 : 0)) {
            for (int i = 0; i < count; i++) packets.add(enc.encode(pcm, i * 320, 320));
        }
        return packets;
    }

    static byte[] rtp(int pt, int seq, long ts, byte[] payload) {
        return TestPackets.pt(pt).seq(seq).ts(ts).payload(payload).build();
    }

    void finish(RtpStream s) throws Exception {
        s.close().get(5, TimeUnit.SECONDS);
    }

    @Test
    void inOrderOpusComesOutAsContiguous16kFrames() throws Exception {
        RtpStream s = stream(PayloadTypeMap.of(111, CodecSpec.of(AudioCodec.OPUS)));
        List<byte[]> pk = opusPackets(50, false);
        for (int i = 0; i < pk.size(); i++) {
            send(s, rtp(111, 1000 + i, 5000 + 960L * i, pk.get(i)));
            clock.advanceMillis(20);
        }
        finish(s);
        short[] pcm = out.contiguousSamples();
        assertEquals(50 * 320, pcm.length);
        assertEquals(50 * 320, out.samplesOf(PcmFrame.Kind.AUDIO));
        assertTrue(out.isClosed(), "closing the stream closes the participant");
        assertEquals(1000, s.stats().audioMillis());
    }

    @Test
    void aLostOpusPacketIsRecoveredByFecAndTheTimelineStaysWhole() throws Exception {
        RtpStream s = stream(PayloadTypeMap.of(111, CodecSpec.of(AudioCodec.OPUS)));
        List<byte[]> pk = opusPackets(60, true);
        int lost = 20;
        while (lost < 58 && !org.streamasr.media.opus.OpusPackets.hasFec(pk.get(lost + 1), 0, pk.get(lost + 1).length)) {
            lost++;
        }
        assertTrue(lost < 58, "the encoder put FEC in some packet");
        int lost2 = 5;
        for (int i = 0; i < pk.size(); i++) {
            if (i != lost && i != lost2 && i != lost2 + 1) send(s, rtp(111, i, 960L * i, pk.get(i)));
            clock.advanceMillis(20);
        }
        finish(s);
        assertEquals(60 * 320, out.contiguousSamples().length, "no hole: lost packets are filled");
        assertEquals(3 * 320, out.samplesOf(PcmFrame.Kind.CONCEALED));
        assertTrue(s.stats().fecRecoveredMillis() >= 20, "the single loss came back from FEC: " + s.stats());
        assertTrue(s.stats().concealedMillis() >= 20, "the double loss needed PLC: " + s.stats());
        assertEquals(60, s.stats().concealedMillis() + s.stats().fecRecoveredMillis());
        assertEquals(3, s.jitterStats().lost());
    }

    @Test
    void packetsUpTo200MsAreDecodedAndLongerOnesDroppedAsOversized() throws Exception {
        // ffmpeg's RTP muxer sends PCMU in 1008-sample (126 ms) packets; RFC 3551 §4.2: accept 0 to 200 ms
        RtpStream s = stream(PayloadTypeMap.of(0, CodecSpec.of(AudioCodec.PCMU)));
        int[] sizes = {1008, 1008, 1600, 1608, 1008};
        long ts = 0;
        for (int i = 0; i < sizes.length; i++) {
            byte[] payload = new byte[sizes[i]];
            java.util.Arrays.fill(payload, G711.linearToUlaw((short) 1000));
            send(s, rtp(0, i, ts, payload));
            ts += sizes[i];
            clock.advanceMillis(sizes[i] / 8);
        }
        finish(s);
        assertEquals(1, metrics.dropCounter("decode").count("oversized-frame"), "only the 201 ms packet");
        assertEquals((1008 * 3 + 1600) * 2, out.samplesOf(PcmFrame.Kind.AUDIO), "16 kHz samples of the four others");
    }

    @Test
    void aPauseBecomesSilenceAndALongOneRebasesTheTimeline() throws Exception {
        RtpStream s = stream(PayloadTypeMap.of(0, CodecSpec.of(AudioCodec.PCMU)));
        byte[] tone = new byte[160];
        for (int i = 0; i < 160; i++) tone[i] = G711.linearToUlaw((short) (8000 * Math.sin(i * 0.2)));
        int seq = 0;
        long ts = 0;
        for (int i = 0; i < 10; i++, seq++, ts += 160) {
            send(s, rtp(0, seq, ts, tone));
            clock.advanceMillis(20);
        }
        ts += 8000; // 1 s of DTX: sequence continues, timestamps jump
        clock.advanceMillis(1000);
        for (int i = 0; i < 10; i++, seq++, ts += 160) {
            send(s, rtp(0, seq, ts, tone));
            clock.advanceMillis(20);
        }
        ts += 80_000; // 10 s pause: more than the 2 s fill cap
        clock.advanceMillis(10_000);
        for (int i = 0; i < 10; i++, seq++, ts += 160) {
            send(s, rtp(0, seq, ts, tone));
            clock.advanceMillis(20);
        }
        // timestamps jump 5 s but the packet arrives 20 ms later: only the arrival gap (plus slack) is filled
        ts += 40_000;
        send(s, rtp(0, seq, ts, tone));
        clock.advanceMillis(500);
        finish(s);
        short[] pcm = out.contiguousSamples();
        long silence = out.samplesOf(PcmFrame.Kind.SILENCE);
        // 1 s of DTX, 2 s (the cap) of the 10 s pause, 20 ms + 200 ms slack for the implausible jump
        assertEquals(16_000 + 32_000 + 16 * 220, silence);
        assertEquals(31 * 320 + silence, pcm.length, "audio 16 kHz, timeline contiguous");
        assertEquals(2, s.stats().rebases());
        assertEquals(8_000 + 4_780, s.stats().skippedMillis());
        assertEquals(0, out.samplesOf(PcmFrame.Kind.CONCEALED), "pauses are not losses");
    }

    @Test
    void undecodableAndMalformedPacketsNeverStopTheStream() throws Exception {
        RtpStream s = stream(PayloadTypeMap.builder().audio(111, CodecSpec.of(AudioCodec.OPUS))
                .audio(0, CodecSpec.of(AudioCodec.PCMU)).build());
        List<byte[]> pk = opusPackets(40, false);
        Random rnd = new Random(11);
        int seq = 0;
        for (int i = 0; i < 20; i++) send(s, rtp(111, seq++, 960L * i, pk.get(i)));
        // the fuzz corpus: mutated versions of valid packets, many with plausible headers and garbage payloads
        for (int k = 0; k < 3000; k++) {
            byte[] m = FuzzCorpus.mutate(rtp(111, rnd.nextInt(65536), rnd.nextInt(), pk.get(rnd.nextInt(40))), rnd);
            send(s, m);
            if (k % 50 == 0) clock.advanceMillis(10);
        }
        s.close().get(5, TimeUnit.SECONDS);
        assertTrue(out.isClosed());
        out.contiguousSamples(); // contiguous media times, whatever came through
        System.out.println("stream fuzz drops: " + metrics.drops() + "; " + s.stats());

        // a fresh stream of the same participant after all that still decodes cleanly
        RecordingCallSink.Participant out2 = (RecordingCallSink.Participant) RecordingCallSink.call("c2").openParticipant(
                org.streamasr.media.ParticipantSpec.of("p2"));
        RtpStream clean = RtpStream.open("p2", out2, new MediaTimeline(),
                PayloadTypeMap.of(111, CodecSpec.of(AudioCodec.OPUS)), RtpStreamConfig.DEFAULT, Runnable::run, clock,
                clock, metrics);
        for (int i = 0; i < 40; i++) {
            byte[] d = rtp(111, i, 960L * i, pk.get(i));
            clean.offer(parser.parse(d, d.length, clock.getAsLong()));
        }
        clean.close().get(5, TimeUnit.SECONDS);
        assertEquals(40 * 320, out2.samplesOf(PcmFrame.Kind.AUDIO));
    }

    @Test
    void aGarbageOpusPayloadIsCountedAndItsSlotConcealed() throws Exception {
        RtpStream s = stream(PayloadTypeMap.of(111, CodecSpec.of(AudioCodec.OPUS)));
        List<byte[]> pk = opusPackets(10, false);
        for (int i = 0; i < 10; i++) {
            byte[] payload = i == 5 ? new byte[] {(byte) 0xff} : pk.get(i); // code 3 without a count byte
            send(s, rtp(111, i, 960L * i, payload));
            clock.advanceMillis(20);
        }
        finish(s);
        assertEquals(1, metrics.dropCounter("decode").count("undecodable"));
        assertEquals(10 * 320, out.contiguousSamples().length);
        assertEquals(320, out.samplesOf(PcmFrame.Kind.CONCEALED));
    }

    /**
     * The CPU pool stalls for 8 s while packets keep coming (the hand-off queue holds 20 s): when the worker runs, it
     * plays the backlog out as it would have live, reordering repaired, nothing dropped as buffer-full.
     */
    @Test
    void aWorkerThatRunsLateLosesNothingItsQueueHeld() {
        java.util.List<Runnable> stalled = new java.util.ArrayList<>();
        RtpStream s = RtpStream.open("p1", out, new MediaTimeline(), PayloadTypeMap.of(0, CodecSpec.of(AudioCodec.PCMU)),
                new RtpStreamConfig(Duration.ofMillis(100), GapPolicy.DEFAULT, Duration.ofSeconds(20)), stalled::add,
                clock, clock, metrics);
        byte[] payload = new byte[160];
        for (int i = 0; i < 400; i++) {
            int seq = i % 50 == 10 ? i + 1 : i % 50 == 11 ? i - 1 : i; // every 50th pair swapped
            send(s, rtp(0, seq, 160L * seq, payload));
            clock.advanceMillis(20);
        }
        assertEquals(1, stalled.size(), "one run requested, none run yet");
        assertEquals(0, out.frames().size());
        stalled.remove(0).run();
        assertEquals(0, metrics.dropCounter("rtp").total(), "nothing dropped: " + metrics.drops());
        assertTrue(out.samplesOf(PcmFrame.Kind.AUDIO) > 399 * 320, "the backlog played out (but the resampler's"
                + " look-ahead): " + out.samplesOf(PcmFrame.Kind.AUDIO));
        s.close();
        while (!stalled.isEmpty()) stalled.remove(0).run();
        assertEquals(400 * 320, out.contiguousSamples().length);
        assertEquals(400 * 320, out.samplesOf(PcmFrame.Kind.AUDIO));
        assertEquals(0, s.jitterStats().lost(), "reordering repaired: " + s.jitterStats());
    }

    @Test
    void theTimerReleasesPacketsHeldBehindAHole() {
        RtpStream s = stream(PayloadTypeMap.of(0, CodecSpec.of(AudioCodec.PCMU)));
        byte[] payload = new byte[160];
        send(s, rtp(0, 0, 0, payload));
        clock.advanceMillis(100); // start-up wait over
        send(s, rtp(0, 1, 160, payload));
        assertTrue(out.frames().size() >= 1);
        int before = out.frames().size();
        send(s, rtp(0, 3, 480, payload)); // 2 is missing
        assertEquals(before, out.frames().size(), "held behind the hole");
        clock.advanceMillis(99);
        assertEquals(before, out.frames().size());
        clock.advanceMillis(1); // the hole's deadline: the timer wakes the worker
        assertTrue(out.frames().size() > before, "released by the timer, concealment and audio");
        s.close();
    }
}
