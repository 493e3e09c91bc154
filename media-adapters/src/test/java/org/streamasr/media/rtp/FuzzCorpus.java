package org.streamasr.media.rtp;

import java.util.Arrays;
import java.util.Random;

/**
 * The malformed-packet corpus for the RTP path, seeded: mutations of valid packets (bit flips, byte overwrites with
 * boundary values, truncation, extension) and purely random datagrams, some behind a version-2 first byte so that
 * they reach the header fields past the version check.
 */
final class FuzzCorpus {
    private static final byte[] INTERESTING = {0, 1, 0x0f, 0x10, 0x7f, (byte) 0x80, (byte) 0xbe, (byte) 0xde, (byte) 0xff};

    private FuzzCorpus() {
    }

    static byte[] mutate(byte[] seed, Random rnd) {
        byte[] d = seed.clone();
        int ops = 1 + rnd.nextInt(4);
        for (int k = 0; k < ops; k++) {
            switch (rnd.nextInt(6)) {
                case 0 -> d[rnd.nextInt(d.length)] ^= (byte) (1 << rnd.nextInt(8));
                case 1 -> d[rnd.nextInt(Math.min(d.length, 24))] = INTERESTING[rnd.nextInt(INTERESTING.length)];
                case 2 -> d = Arrays.copyOf(d, rnd.nextInt(d.length + 1));
                case 3 -> d = Arrays.copyOf(d, d.length + rnd.nextInt(64));
                case 4 -> {
                    if (d.length > 0) d[d.length - 1] = (byte) rnd.nextInt(256); // padding count
                }
                default -> {
                    if (d.length > 0) d[0] = (byte) rnd.nextInt(256); // V/P/X/CC
                }
            }
            if (d.length == 0) break;
        }
        return d;
    }

    /** A purely random datagram: random length (now and then past the largest packet accepted) and random bytes. */
    static byte[] random(Random rnd) {
        byte[] d = new byte[rnd.nextInt(rnd.nextInt(8) == 0 ? RtpParser.MAX_PACKET + 64 : 1500)];
        rnd.nextBytes(d);
        return d;
    }

    /** Random bytes whose first byte says version 2 (P, X and CC random): they get into the header's fields. */
    static byte[] randomVersion2(Random rnd) {
        byte[] d = random(rnd);
        if (d.length > 0) d[0] = (byte) (0x80 | (d[0] & 0x3f));
        return d;
    }
}
