package org.streamasr.media.rtp;

/**
 * Unwraps an n-bit counter (RTP sequence numbers: 16, timestamps: 32) into a 64-bit index: each value is placed
 * in the cycle that puts it nearest the highest index seen so far, so reordered packets from before a wrap land
 * before it (as JVB's {@code RtpSequenceIndexTracker} does).
 */
public final class WrapAroundCounter {
    private final int bits;
    private final long modulus;
    private final long half;
    private long highest = Long.MIN_VALUE;

    public WrapAroundCounter(int bits) {
        if (bits < 2 || bits > 32) throw new IllegalArgumentException("bits must be 2..32");
        this.bits = bits;
        this.modulus = 1L << bits;
        this.half = modulus >> 1;
    }

    /** The 64-bit index of {@code value} (0 .. 2^bits - 1). */
    public long unwrap(long value) {
        if (highest == Long.MIN_VALUE) {
            // start in a middle cycle so that early reordering never produces negative indices
            highest = (1L << 20) * modulus + value;
            return highest;
        }
        long base = highest - Math.floorMod(highest, modulus);
        long candidate = base + value;
        long diff = candidate - highest;
        if (diff > half) candidate -= modulus;
        else if (diff <= -half) candidate += modulus;
        if (candidate > highest) highest = candidate;
        return candidate;
    }

    /** Forgets history: the next value starts a new index space (a sender restart). */
    public void reset() {
        highest = Long.MIN_VALUE;
    }

    public int bits() {
        return bits;
    }
}
