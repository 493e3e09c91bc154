package org.streamasr.media.sip.srtp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.streamasr.runtime.DropCounter;

class SrtpUnprotectorTest {
    private static final HexFormat HEX = HexFormat.of();
    /* RFC 3711 appendix B.3 master key and salt; the packet pair is libsrtp's srtp_driver reference (SSRC cafebabe, seq 0x1234). */
    private static final byte[] KEY = HEX.parseHex("e1f97a0d3e018be0d64fa32c06de4139");
    private static final byte[] SALT = HEX.parseHex("0ec675ad498afeebb6960b3aabe6");
    private static final byte[] PLAIN = HEX.parseHex("800f1234decafbadcafebabe" + "ab".repeat(16));
    private static final byte[] CIPHER_80 = HEX.parseHex("800f1234decafbadcafebabe"
            + "4e55dc4ce79978d88ca4d215949d2402" + "b78d6acc99ea179b8dbb");
    /* The 32-bit tag is the first 4 bytes of the same HMAC-SHA1 output. */
    private static final byte[] CIPHER_32 = HEX.parseHex("800f1234decafbadcafebabe"
            + "4e55dc4ce79978d88ca4d215949d2402" + "b78d6acc");

    private final DropCounter drops = new DropCounter("srtp-test");

    @Test
    void decryptsTheReferencePacketWithAn80BitTag() {
        assertEquals(PLAIN.length, unprotectOnce(SrtpSuite.AES_CM_128_HMAC_SHA1_80, CIPHER_80, PLAIN));
    }

    @Test
    void decryptsTheReferencePacketWithA32BitTag() {
        assertEquals(PLAIN.length, unprotectOnce(SrtpSuite.AES_CM_128_HMAC_SHA1_32, CIPHER_32, PLAIN));
    }

    @Test
    void forgedTagIsDroppedAndCountedThenGoodPacketsStillDecrypt() {
        try (SrtpUnprotector u = new SrtpUnprotector(new SdesKey(1, SrtpSuite.AES_CM_128_HMAC_SHA1_80, KEY, SALT), drops)) {
            byte[] forged = CIPHER_80.clone();
            forged[forged.length - 1] ^= 1;
            assertEquals(-1, u.unprotect(forged, 0, forged.length));
            assertEquals(1, drops.count("srtp-auth-failed"));
            byte[] garbage = {1, 2, 3};
            assertEquals(-1, u.unprotect(garbage, 0, garbage.length));
            assertEquals(1, drops.count("srtp-malformed"));
            byte[] good = CIPHER_80.clone();
            assertEquals(PLAIN.length, u.unprotect(good, 0, good.length));
            assertArrayEquals(PLAIN, Arrays.copyOf(good, PLAIN.length));
        }
    }

    @Test
    void warmUpDecryptsItsReferencePacketAndLogsNoDrop() {
        ch.qos.logback.classic.Logger drops = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(
                "org.streamasr.media.drops");
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> seen =
                new ch.qos.logback.core.read.ListAppender<>();
        seen.start();
        drops.addAppender(seen);
        try {
            SrtpUnprotector.warmUp();
        } finally {
            drops.detachAppender(seen);
        }
        assertEquals(List.of(), seen.list.stream().map(Object::toString).toList(), "server start-up logs no drop");
    }

    @Test
    void replayedPacketIsDropped() {
        try (SrtpUnprotector u = new SrtpUnprotector(new SdesKey(1, SrtpSuite.AES_CM_128_HMAC_SHA1_80, KEY, SALT), drops)) {
            byte[] first = CIPHER_80.clone();
            assertEquals(PLAIN.length, u.unprotect(first, 0, first.length));
            byte[] again = CIPHER_80.clone();
            assertEquals(-1, u.unprotect(again, 0, again.length));
            assertEquals(1, drops.count("srtp-replay"));
        }
    }

    @Test
    void roundTripsAStreamProtectedWithAnAnsweredKeyAtAnOffset() throws Exception {
        SdesKey key = SdesKey.generate(7, SrtpSuite.AES_CM_128_HMAC_SHA1_32, new SecureRandom());
        SdesKey parsed = SdesKey.parse(key.toAttributeValue());
        assertEquals(key, parsed);
        try (SrtpTestSender sender = new SrtpTestSender(key, 0x11223344);
             SrtpUnprotector u = new SrtpUnprotector(parsed, drops)) {
            for (int seq = 65_530; seq < 65_545; seq++) { // crosses the sequence-number wrap: the rollover counter must follow
                byte[] rtp = rtpPacket(seq & 0xffff, seq * 160L, 0x11223344, 160);
                byte[] srtp = sender.protect(rtp);
                byte[] buf = new byte[srtp.length + 4];
                System.arraycopy(srtp, 0, buf, 4, srtp.length);
                int n = u.unprotect(buf, 4, srtp.length);
                assertEquals(rtp.length, n, "seq " + seq);
                assertArrayEquals(rtp, Arrays.copyOfRange(buf, 4, 4 + n));
            }
        }
        assertEquals(0, drops.total());
    }

    /**
     * The malformed-packet corpus through SRTP: mutations of packets of the stream (bit flips, cuts, random tails,
     * header fields changed: version, SSRC, sequence number) and random datagrams. Every one is dropped and counted
     * once, none throws, and the stream's next packets still decrypt.
     */
    @Test
    void mutatedAndRandomPacketsAreEachDroppedAndCountedAndTheStreamGoesOn() throws Exception {
        SdesKey key = SdesKey.generate(1, SrtpSuite.AES_CM_128_HMAC_SHA1_80, new SecureRandom());
        java.util.Random rnd = new java.util.Random(77);
        org.streamasr.media.adapter.Mutator mutator = new org.streamasr.media.adapter.Mutator(78);
        try (SrtpTestSender sender = new SrtpTestSender(key, 0x5eed);
             SrtpUnprotector u = new SrtpUnprotector(key, drops)) {
            List<byte[]> seen = new java.util.ArrayList<>();
            for (int seq = 0; seq < 20; seq++) {
                byte[] srtp = sender.protect(rtpPacket(seq, seq * 160L, 0x5eed, 160));
                seen.add(srtp.clone());
                assertEquals(12 + 160, u.unprotect(srtp, 0, srtp.length));
            }
            List<byte[]> corpus = new java.util.ArrayList<>(mutator.bytes(seen, 3_000));
            for (int i = 0; i < 1_000; i++) {
                byte[] d = seen.get(rnd.nextInt(seen.size())).clone();
                switch (i % 4) {
                    case 0 -> d[0] = (byte) rnd.nextInt(256);                    // V, P, X, CC
                    case 1 -> d[8 + rnd.nextInt(4)] ^= (byte) (1 + rnd.nextInt(255)); // another SSRC
                    case 2 -> d[2 + rnd.nextInt(2)] ^= (byte) (1 + rnd.nextInt(255)); // another sequence number
                    default -> { } // replayed as it was
                }
                corpus.add(d);
            }
            for (int i = 0; i < 3_000; i++) {
                byte[] d = new byte[rnd.nextInt(1_500)];
                rnd.nextBytes(d);
                if (i % 2 == 1 && d.length > 0) d[0] = (byte) 0x80; // past the version check
                corpus.add(d);
            }
            for (byte[] d : corpus) {
                long before = drops.total();
                int n;
                try {
                    n = u.unprotect(d, 0, d.length);
                } catch (RuntimeException e) {
                    throw new AssertionError("unprotect threw " + e + " on " + HEX.formatHex(d), e);
                }
                assertEquals(-1, n, "nothing in the corpus authenticates: " + HEX.formatHex(d));
                assertEquals(before + 1, drops.total(), "each dropped packet is counted once: " + drops.snapshot());
            }
            System.out.println("SRTP corpus: " + corpus.size() + " packets, drops " + drops.snapshot());
            for (String reason : new String[] {"srtp-malformed", "srtp-auth-failed", "srtp-replay", "srtp-too-many-ssrcs"}) {
                assertTrue(drops.count(reason) > 0, "the corpus reaches '" + reason + "': " + drops.snapshot());
            }
            for (int seq = 20; seq < 40; seq++) {
                byte[] rtp = rtpPacket(seq, seq * 160L, 0x5eed, 160);
                byte[] srtp = sender.protect(rtp);
                assertEquals(rtp.length, u.unprotect(srtp, 0, srtp.length), "seq " + seq + " after the corpus");
                assertArrayEquals(rtp, Arrays.copyOf(srtp, rtp.length));
            }
        }
    }

    private int unprotectOnce(SrtpSuite suite, byte[] cipher, byte[] plain) {
        try (SrtpUnprotector u = new SrtpUnprotector(new SdesKey(1, suite, KEY, SALT), drops)) {
            byte[] buf = new byte[cipher.length + 3];
            System.arraycopy(cipher, 0, buf, 3, cipher.length);
            int n = u.unprotect(buf, 3, cipher.length);
            assertArrayEquals(plain, Arrays.copyOfRange(buf, 3, 3 + n));
            return n;
        }
    }

    static byte[] rtpPacket(int seq, long ts, int ssrc, int payloadBytes) {
        byte[] p = new byte[12 + payloadBytes];
        p[0] = (byte) 0x80;
        p[1] = 0;
        p[2] = (byte) (seq >> 8);
        p[3] = (byte) seq;
        for (int i = 0; i < 4; i++) p[4 + i] = (byte) (ts >> (24 - 8 * i));
        for (int i = 0; i < 4; i++) p[8 + i] = (byte) (ssrc >> (24 - 8 * i));
        for (int i = 0; i < payloadBytes; i++) p[12 + i] = (byte) (i * 7 + seq);
        return p;
    }
}
