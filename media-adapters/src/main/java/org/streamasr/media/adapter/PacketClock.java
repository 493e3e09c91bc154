package org.streamasr.media.adapter;

/**
 * Orders the packets of one stream by their sequence index ("chunk") and places them by their timestamp. A packet
 * whose index is not past the last accepted one is a duplicate or arrived late: it is refused (the TCP and WebSocket
 * transports of these protocols do not reorder, so a late packet's audio has already been concealed). Positions are
 * converted to 16 kHz samples since the stream's first packet.
 */
public final class PacketClock {
    private final int clockRate;
    private boolean started;
    private long firstTimestamp;
    private long lastIndex;

    /** @param clockRate timestamp units per second (48000 for Opus RTP, 1000 for Twilio's milliseconds) */
    public PacketClock(int clockRate) {
        if (clockRate < 1) throw new IllegalArgumentException("clockRate must be >= 1");
        this.clockRate = clockRate;
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

    /** Position of a timestamp in 16 kHz samples since the first packet (the first accepted packet is at 0). */
    public long position(long timestamp) {
        long base = started ? firstTimestamp : timestamp;
        return Math.floorDiv((timestamp - base) * 16_000L, clockRate);
    }

    /**
     * Whether a timestamp is within a day of the first packet's (anything further is garbage, and would overflow the
     * position arithmetic).
     */
    public boolean plausible(long timestamp) {
        if (!started) return timestamp > Long.MIN_VALUE / 2 && timestamp < Long.MAX_VALUE / 2;
        long delta = timestamp - firstTimestamp;
        return Math.abs(delta) <= clockRate * 86_400L;
    }

    /** Records an accepted packet. */
    public void accept(long index, long timestamp) {
        if (!started) {
            started = true;
            firstTimestamp = timestamp;
        }
        lastIndex = index;
    }
}
