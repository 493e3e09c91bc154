package org.streamasr.media.rtp;

import java.util.ArrayDeque;
import org.streamasr.runtime.DropCounter;

/**
 * The hand-off from the network thread to a stream's worker: a bounded queue measured in milliseconds of media
 * (by RTP timestamps) with a packet-count backstop. When full, the oldest packet is dropped and counted
 * ({@code queue-overflow}): for live captions fresh audio is worth more than stale. {@link #offer} never blocks.
 */
final class RtpPacketQueue {
    private final ArrayDeque<RtpPacket> queue = new ArrayDeque<>();
    private final long maxTicks;
    private final int maxPackets;
    private final DropCounter drops;

    /**
     * @param maxMillis media the queue may hold
     * @param clockRate RTP clock used to measure it
     */
    RtpPacketQueue(long maxMillis, int clockRate, DropCounter drops) {
        this.maxTicks = maxMillis * clockRate / 1000;
        // a packet holds at least 2.5 ms of audio (the shortest Opus frame)
        this.maxPackets = (int) Math.max(8, maxMillis * 2 / 5);
        this.drops = drops;
    }

    synchronized void offer(RtpPacket p) {
        queue.addLast(p);
        while (queue.size() > maxPackets || spanTicks() > maxTicks) {
            RtpPacket old = queue.pollFirst();
            drops.drop("queue-overflow", "stream worker behind; dropped seq " + old.sequenceNumber());
        }
    }

    synchronized RtpPacket poll() {
        return queue.pollFirst();
    }

    synchronized int size() {
        return queue.size();
    }

    private long spanTicks() {
        if (queue.size() < 2) return 0;
        RtpPacket first = queue.peekFirst();
        RtpPacket last = queue.peekLast();
        if (first.ssrc() != last.ssrc()) return 0;
        long d = (last.timestamp() - first.timestamp()) & 0xffffffffL;
        return d > 0x7fffffffL ? 0 : d; // reordered: the count backstop applies
    }
}
