package org.streamasr.media.ingest;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Notices audio that is plainly not 16-bit linear PCM although a protocol marks it so: G.711 bytes sent as slin (an
 * Asterisk {@code Dial(AudioSocket/...)} without {@code /c(slin16)} passes the caller's mu-law on). Read as 16-bit
 * samples, each pair of G.711 codes of neighbouring samples makes one sample whose two bytes are nearly equal (the
 * signal moves little in 125 µs), while in real PCM the low byte of a sample that is not tiny is as good as random.
 * A frame is suspect when, among its samples of magnitude 256 or more, more than {@value #SUSPECT_PERCENT}% have
 * bytes within {@value #NEAR} of each other (about 10% for linear PCM).
 */
public final class LinearPcmCheck {
    static final int NEAR = 12;
    static final int SUSPECT_PERCENT = 40;
    private static final int MIN_SAMPLES = 40;

    private LinearPcmCheck() {
    }

    /** Whether {@code data} (16-bit samples in {@code order}, position to limit; not consumed) is plainly not PCM. */
    public static boolean plainlyNotLinear(ByteBuffer data, ByteOrder order) {
        ByteBuffer b = data.duplicate().order(order);
        int n = b.remaining() / 2;
        int counted = 0;
        int near = 0;
        for (int i = 0; i < n; i++) {
            short x = b.getShort();
            if (x > -256 && x < 256) continue;
            counted++;
            int hi = (x >> 8) & 0xff;
            int lo = x & 0xff;
            if (Math.abs(hi - lo) <= NEAR) near++;
        }
        return counted >= MIN_SAMPLES && near * 100 > counted * SUSPECT_PERCENT;
    }
}
