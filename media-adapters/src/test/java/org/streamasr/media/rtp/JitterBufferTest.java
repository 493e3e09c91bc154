package org.streamasr.media.rtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.streamasr.runtime.DropCounter;

class JitterBufferTest {
    static final long MS = 1_000_000L;
    final DropCounter drops = new DropCounter("jitter-test");
    final RtpParser parser = new RtpParser(drops, 0);
    final JitterBuffer jb = new JitterBuffer(100 * MS, 8000, 64, drops);

    /** Packet n of a 20 ms PCMU stream arriving at {@code atMs}. */
    RtpPacket pkt(int n, long atMs) {
        return pkt(n, n * 160L, atMs, 0x1234);
    }

    RtpPacket pkt(int seq, long ts, long atMs, long ssrc) {
        byte[] d = TestPackets.pt(0).seq(seq).ts(ts).ssrc(ssrc).build();
        return parser.parse(d, d.length, atMs * MS);
    }

    List<Integer> seqs(List<PlayoutPacket> l) {
        List<Integer> s = new ArrayList<>();
        for (PlayoutPacket p : l) s.add(p.packet().sequenceNumber());
        return s;
    }

    @Test
    void firstPacketWaitsForStartupReorderingThenInOrderPacketsPassAtOnce() {
        assertTrue(jb.insert(pkt(1, 0)));
        assertNull(jb.poll(0), "the first packet waits in case an earlier one is late");
        assertTrue(jb.insert(pkt(0, 30)));
        assertEquals(List.of(0, 1), seqs(jb.pollAll(100 * MS)));
        assertTrue(jb.insert(pkt(2, 120)));
        assertEquals(List.of(2), seqs(jb.pollAll(120 * MS)), "no added delay once running");
    }

    @Test
    void aHoleHoldsLaterPacketsForTheDepthThenIsDeclaredLost() {
        jb.insert(pkt(0, 0));
        jb.pollAll(100 * MS);
        jb.insert(pkt(2, 140));
        jb.insert(pkt(3, 160));
        assertTrue(jb.pollAll(200 * MS).isEmpty(), "waiting for 1");
        assertEquals(240 * MS, jb.nextDeadline(), "the oldest packet behind the hole arrived at 140 ms");
        List<PlayoutPacket> out = jb.pollAll(240 * MS);
        assertEquals(List.of(2, 3), seqs(out));
        assertEquals(1, out.get(0).lostBefore());
        assertEquals(0, out.get(1).lostBefore());
        assertFalse(jb.insert(pkt(1, 250)), "too late now");
        assertEquals(1, drops.count("late"));
        assertEquals(1, jb.stats().lost());
    }

    @Test
    void reorderingWithinTheDepthIsRepaired() {
        jb.insert(pkt(0, 0));
        jb.pollAll(100 * MS);
        jb.insert(pkt(2, 140));
        assertTrue(jb.pollAll(150 * MS).isEmpty());
        jb.insert(pkt(1, 160));
        List<PlayoutPacket> out = jb.pollAll(160 * MS);
        assertEquals(List.of(1, 2), seqs(out));
        assertEquals(0, out.get(0).lostBefore());
    }

    @Test
    void aBurstBehindAHoleWaitsTheDepthFromItsArrivalAndTooManyPacketsReleaseAtOnce() {
        jb.insert(pkt(0, 0));
        jb.pollAll(100 * MS);
        // a burst (a sender pacing 120 ms at a time): packets 2..7 arrive together while 1 is missing
        for (int n = 2; n <= 7; n++) jb.insert(pkt(n, 121));
        assertTrue(jb.pollAll(200 * MS).isEmpty(), "1 may still come: it was sent in the same burst");
        jb.insert(pkt(1, 205));
        assertEquals(List.of(1, 2, 3, 4, 5, 6, 7), seqs(jb.pollAll(205 * MS)));
        // more than maxPackets held behind a hole: released without waiting
        JitterBuffer small = new JitterBuffer(100 * MS, 8000, 4, drops);
        small.insert(pkt(0, 0));
        small.pollAll(100 * MS);
        for (int n = 2; n <= 6; n++) small.insert(pkt(n, 101));
        assertEquals(5, small.pollAll(101 * MS).size());
    }

    @Test
    void duplicatesAreDroppedWhetherHeldOrPlayed() {
        jb.insert(pkt(0, 0));
        jb.pollAll(100 * MS);
        jb.insert(pkt(2, 110));
        assertFalse(jb.insert(pkt(2, 111)), "duplicate of a held packet");
        assertFalse(jb.insert(pkt(0, 112)), "duplicate of a played packet");
        assertEquals(2, drops.count("duplicate"));
        assertEquals(0, drops.count("late"));
    }

    @Test
    void sequenceAndTimestampWrapAroundUnwrapTo64Bits() {
        long ts = 0xffffffffL - 320;
        int seq = 65534;
        jb.insert(pkt(seq, ts, 0, 1));
        jb.pollAll(100 * MS);
        List<PlayoutPacket> out = new ArrayList<>();
        for (int i = 1; i <= 4; i++) {
            jb.insert(pkt(seq + i, ts + 160L * i, 100 + 20L * i, 1));
            out.addAll(jb.pollAll((100 + 20L * i) * MS));
        }
        assertEquals(4, out.size());
        for (int i = 1; i < out.size(); i++) {
            assertEquals(out.get(i - 1).sequenceIndex() + 1, out.get(i).sequenceIndex());
            assertEquals(out.get(i - 1).timestampIndex() + 160, out.get(i).timestampIndex());
        }
        assertEquals(0, drops.total());
    }

    @Test
    void aConfirmedSequenceJumpRestartsTheBufferWithADiscontinuity() {
        jb.insert(pkt(10, 0));
        jb.pollAll(100 * MS);
        assertFalse(jb.insert(pkt(40_000, 999_999, 120, 0x1234)), "one far packet alone is dropped");
        assertEquals(1, drops.count("sequence-jump"));
        jb.insert(pkt(11, 160, 121, 0x1234)); // the stream carries on: not a restart
        assertEquals(List.of(11), seqs(jb.pollAll(121 * MS)));
        jb.insert(pkt(50_000, 5_000_000, 140, 0x1234));
        assertTrue(jb.insert(pkt(50_001, 5_000_160, 160, 0x1234)), "the next packet confirms the restart");
        List<PlayoutPacket> out = jb.pollAll(300 * MS);
        assertEquals(List.of(50_000, 50_001), seqs(out));
        assertTrue(out.get(0).discontinuity());
        assertEquals(0, out.get(0).lostBefore());
        assertEquals(1, jb.stats().restarts());
    }

    @Test
    void restartPlaysOutWhatIsHeldFirst() {
        jb.insert(pkt(0, 0));
        jb.pollAll(100 * MS);
        jb.insert(pkt(2, 110));
        jb.restart();
        jb.insert(pkt(7, 7000, 120, 0x999));
        List<PlayoutPacket> out = jb.pollAll(120 * MS);
        assertEquals(List.of(2), seqs(out), "the held packet of the old sender comes out first");
        assertEquals(1, out.get(0).lostBefore());
        out = jb.pollAll(220 * MS);
        assertEquals(List.of(7), seqs(out));
        assertTrue(out.get(0).discontinuity());
    }

    @Test
    void drainReleasesEverythingAndJitterIsMeasured() {
        jb.insert(pkt(0, 0));
        jb.pollAll(100 * MS);
        // arrivals alternate 10 ms early and late around a 20 ms grid: RFC 3550 jitter converges towards ~20 ms
        for (int n = 1; n < 200; n++) {
            jb.insert(pkt(n, 100 + 20L * n + (n % 2 == 0 ? 10 : -10)));
            jb.pollAll((100 + 20L * n + 10) * MS);
        }
        double j = jb.stats().jitterMillis();
        assertTrue(j > 15 && j < 25, "jitter " + j);
        jb.insert(pkt(201, 5000));
        jb.insert(pkt(203, 5000));
        List<PlayoutPacket> out = jb.drain();
        assertEquals(List.of(201, 203), seqs(out));
        assertEquals(1, out.get(0).lostBefore());
        assertEquals(0, jb.heldPackets());
    }

    @Test
    void malformedSequencesNeverBreakIt() {
        java.util.Random rnd = new java.util.Random(5);
        for (int i = 0; i < 5000; i++) {
            jb.insert(pkt(rnd.nextInt(65536), rnd.nextLong() & 0xffffffffL, i, rnd.nextInt(3)));
            jb.pollAll(i * MS);
        }
        jb.drain();
        assertEquals(0, jb.heldPackets());
        // and then a clean stream still plays
        JitterBuffer fresh = jb;
        fresh.restart();
        for (int n = 0; n < 10; n++) fresh.insert(pkt(n, 10_000 + n * 20L));
        assertEquals(10, fresh.pollAll(20_000 * MS).size());
    }
}
