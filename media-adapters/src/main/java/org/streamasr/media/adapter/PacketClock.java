package org.streamasr.media.adapter;

/**
 * Orders the packets of one stream by their sequence index ("chunk") and places them by their timestamps. A packet
 * whose index is not past the last accepted one is a duplicate or arrived late and is refused: these protocols run
 * over TCP, so a late packet's place has already been concealed. The gap before a packet is measured from the end of
 * the previous one (its timestamp plus its duration), so decoder and resampler delays never look like gaps.
 */
public final class PacketClock {
    private final int clockRate;
    private boolean started;
    private long lastIndex;
    private long lastTimestamp;
    private long expectedTimestamp;

    /** @param clockRate timestamp units per second (48000 for Opus RTP, 1000 for Twilio's milliseconds) */
    public PacketClock(int clockRate) {
        if (clockRate < 1) throw new IllegalArgumentException("clockRate must be >= 1");
        this.clockRate = clockRate;
    }

    public int clockRate() {
        return clockRate;
    }

    public boolean started() {
        return started;
    }

    /** Whether a packet with this index comes after every accepted one. */
    public boolean isNew(long index) {
        return !started || index > lastIndex;
    }

    /** Packets lost between the last accepted packet and one with this index (0 for the first packet). */
    public long lostBefore(long index) {
        return started ? Math.max(0, index - lastIndex - 1) : 0;
    }

    /**
     * Whether a timestamp can follow the last accepted one: later than it, and within a day of where the stream is
     * (anything further is garbage that would overflow the arithmetic).
     */
    public boolean plausible(long timestamp) {
        if (!started) return Math.abs(timestamp) < Long.MAX_VALUE / 4;
        return timestamp > lastTimestamp && timestamp - expectedTimestamp <= clockRate * 86_400L;
    }

    /** Clock units between the end of the previous packet and {@code timestamp}: 0 for the first, negative on overlap. */
    public long gapBefore(long timestamp) {
        return started ? timestamp - expectedTimestamp : 0;
    }

    /** Records an accepted packet that covers {@code duration} clock units. */
    public void accept(long index, long timestamp, long duration) {
        started = true;
        lastIndex = index;
        lastTimestamp = timestamp;
        expectedTimestamp = timestamp + Math.max(0, duration);
    }

    public long lastTimestamp() {
        return lastTimestamp;
    }
}
