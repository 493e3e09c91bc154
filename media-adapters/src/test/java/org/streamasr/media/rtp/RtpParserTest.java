package org.streamasr.media.rtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.streamasr.runtime.DropCounter;

class RtpParserTest {
    final DropCounter drops = new DropCounter("rtp-test");
    final RtpParser parser = new RtpParser(drops, 1);

    RtpPacket parse(byte[] d) {
        return parser.parse(d, d.length, 0);
    }

    @Test
    void parsesTheFixedHeaderCsrcsExtensionAndPadding() {
        TestPackets t = TestPackets.pt(111).seq(65535).ts(0xfffffff0L).ssrc(0xdeadbeefL);
        t.marker = true;
        t.csrcs = new long[] {1, 0xffffffffL};
        t.oneByteExtension(1, (byte) (0x80 | 42));
        t.padding = 3;
        t.payload = new byte[] {9, 8, 7, 6, 5};
        RtpPacket p = parse(t.build());
        assertNotNull(p);
        assertEquals(111, p.payloadType());
        assertTrue(p.marker());
        assertEquals(65535, p.sequenceNumber());
        assertEquals(0xfffffff0L, p.timestamp());
        assertEquals(0xdeadbeefL, p.ssrc());
        assertEquals(2, p.csrcCount());
        assertEquals(0xffffffffL, p.csrc(1));
        assertEquals(42, p.audioLevel());
        assertTrue(p.voiceActivity());
        assertEquals(5, p.payloadLength());
        assertEquals(9, p.buffer()[p.payloadOffset()]);
        assertEquals(0, drops.total());
    }

    @Test
    void twoByteExtensionsAndOtherProfilesAreHandled() {
        RtpPacket p = parse(TestPackets.pt(0).twoByteExtension(1, (byte) 100).build());
        assertEquals(100, p.audioLevel());
        assertFalse(p.voiceActivity());
        // an unknown profile is skipped by its length, no audio level
        TestPackets t = TestPackets.pt(0);
        t.extensionProfile = 0x1234;
        t.extensionData = new byte[] {1, 2, 3, 4, 5, 6, 7, 8};
        p = parse(t.build());
        assertEquals(160, p.payloadLength());
        assertEquals(RtpPacket.NO_AUDIO_LEVEL, p.audioLevel());
        // the audio level id is only read when configured
        p = new RtpParser(drops, 0).parse(TestPackets.pt(0).oneByteExtension(1, (byte) 5).build(), 180, 0);
        assertEquals(RtpPacket.NO_AUDIO_LEVEL, p.audioLevel());
    }

    @Test
    void eachMalformationIsCountedUnderItsReasonAndGoodPacketsStillParse() {
        byte[] good = TestPackets.pt(0).build();
        expectDrop("truncated-header", Arrays.copyOf(good, 11));
        byte[] v1 = good.clone();
        v1[0] = (byte) 0x40;
        expectDrop("bad-version", v1);
        byte[] rtcp = good.clone();
        rtcp[1] = (byte) 200; // SR
        expectDrop("rtcp", rtcp);
        byte[] csrc = Arrays.copyOf(good, 20);
        csrc[0] = (byte) 0x8f; // 15 CSRCs in 20 bytes
        expectDrop("truncated-csrc", csrc);
        byte[] ext = Arrays.copyOf(good, 14);
        ext[0] = (byte) 0x90;
        expectDrop("truncated-extension", ext);
        TestPackets longExt = TestPackets.pt(0).oneByteExtension(1, (byte) 1);
        byte[] bad = longExt.build();
        bad[14] = 0x7f; // extension length 32767 words
        expectDrop("bad-extension-length", bad);
        byte[] elem = TestPackets.pt(0).oneByteExtension(2, (byte) 1).build();
        elem[16] = (byte) 0x2f; // element id 2 claims 16 bytes in a 4-byte block
        expectDrop("bad-extension-element", elem);
        TestPackets padded = TestPackets.pt(0);
        padded.padding = 4;
        byte[] pad = padded.build();
        pad[pad.length - 1] = (byte) 250;
        expectDrop("bad-padding", pad);
        pad[pad.length - 1] = 0;
        expectDrop("bad-padding", pad);
        expectDrop("empty-payload", TestPackets.pt(0).payload(new byte[0]).build());
        expectDrop("oversized", new byte[RtpParser.MAX_PACKET + 1]);
        assertNotNull(parse(good), "a good packet still parses after all that");
    }

    @Test
    void rtcpOnTheRtpPortIsCountedByTypeWithoutALogLine() {
        List<Integer> types = new java.util.ArrayList<>();
        RtpParser parser = new RtpParser(drops, 0, types::add);
        for (int type : new int[] {200, 201, 202, 203}) {
            byte[] rtcp = TestPackets.pt(0).build();
            rtcp[1] = (byte) type;
            assertNull(parser.parse(rtcp, rtcp.length, 0));
        }
        assertEquals(List.of(200, 201, 202, 203), types);
        assertEquals(4, drops.count("rtcp"));
        assertEquals(List.of("sr", "rr", "sdes", "bye"), types.stream().map(RtpParser::rtcpTypeName).toList());
        assertNotNull(parser.parse(TestPackets.pt(0).build(), TestPackets.pt(0).build().length, 0), "RTP still parses");
    }

    private void expectDrop(String reason, byte[] data) {
        long before = drops.count(reason);
        assertNull(parse(data), reason);
        assertEquals(before + 1, drops.count(reason), reason + " counted; all: " + drops.snapshot());
    }

    /** Seeded fuzz: mutations of valid packets never throw, and every outcome is a packet or a counted drop. */
    @Test
    void mutatedPacketsNeverThrow() {
        Random rnd = new Random(42);
        byte[][] seeds = {
            TestPackets.pt(0).build(),
            TestPackets.pt(111).oneByteExtension(1, (byte) 3).build(),
            TestPackets.pt(9).twoByteExtension(3, (byte) 1, (byte) 2, (byte) 3).build(),
        };
        int parsed = 0;
        int total = 20_000;
        for (int i = 0; i < total; i++) {
            byte[] d = FuzzCorpus.mutate(seeds[i % seeds.length], rnd);
            long dropsBefore = drops.total();
            RtpPacket p = parser.parse(d, d.length, 0);
            if (p != null) {
                parsed++;
                assertTrue(p.payloadOffset() + p.payloadLength() <= d.length);
                assertTrue(p.payloadLength() > 0);
            } else {
                assertEquals(dropsBefore + 1, drops.total(), "a null result is always a counted drop");
            }
        }
        System.out.println("RTP parser fuzz: " + total + " mutated packets, " + parsed + " parsed, drops "
                + drops.snapshot());
        assertNotNull(parse(seeds[0]));
    }

    /**
     * Random datagrams, not derived from valid packets: half purely random, half random behind a version-2 first
     * byte. None throws; every one is a packet or a counted drop; the corpus reaches the parser's deeper checks; a
     * good packet still parses after.
     */
    @Test
    void randomDatagramsNeverThrow() {
        Random rnd = new Random(20260101);
        int parsed = 0;
        int total = 40_000;
        for (int i = 0; i < total; i++) {
            byte[] d = i % 2 == 0 ? FuzzCorpus.random(rnd) : FuzzCorpus.randomVersion2(rnd);
            long dropsBefore = drops.total();
            RtpPacket p = parser.parse(d, d.length, 0);
            if (p != null) {
                parsed++;
                assertTrue(p.payloadOffset() + p.payloadLength() <= d.length);
                assertTrue(p.payloadLength() > 0);
                assertTrue(p.audioLevel() >= RtpPacket.NO_AUDIO_LEVEL && p.audioLevel() <= 127);
            } else {
                assertEquals(dropsBefore + 1, drops.total(), "a null result is always a counted drop");
            }
        }
        System.out.println("RTP parser on random datagrams: " + total + " sent, " + parsed + " parsed, drops "
                + drops.snapshot());
        for (String reason : new String[] {"truncated-header", "bad-version", "rtcp", "truncated-csrc",
                "bad-extension-length", "bad-padding", "oversized"}) {
            assertTrue(drops.count(reason) > 0, "the random corpus reaches '" + reason + "': " + drops.snapshot());
        }
        assertNotNull(parse(TestPackets.pt(0).build()), "a good packet still parses");
    }
}
