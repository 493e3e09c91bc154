package org.streamasr.media.rtp;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.streamasr.runtime.DropCounter;

/**
 * Puts one RTP stream back in order: reorders, drops duplicates and packets that come after their turn, and
 * declares losses. Driven entirely by the caller's clock (arrival times on the packets, {@code now} on
 * {@link #poll}), so it is tested without sockets or sleeps.
 *
 * <h2>Policy (tuned for ASR: no added delay when nothing is missing)</h2>
 * <ul>
 *   <li>The first packet waits up to {@code depth} for earlier ones that may arrive late (start-up reordering).</li>
 *   <li>After that, the next packet in sequence is released as soon as it arrives.</li>
 *   <li>When the next packet is missing, the packets behind the hole are held until the oldest of them has waited
 *       {@code depth} (or more than {@code maxPackets} are held); then the hole is declared lost (counted on the
 *       released packet as {@link PlayoutPacket#lostBefore()}) and playout moves on. How much media is waiting
 *       behind the hole does not matter: senders that pace in bursts (ffmpeg sends 120 ms at a time) would
 *       otherwise lose every packet jitter delays by a few milliseconds.</li>
 *   <li>A packet older than the playout point is dropped as {@code duplicate} (it was played) or {@code late} (its
 *       slot was already declared lost); one already held is a {@code duplicate}.</li>
 *   <li>A sequence jump beyond {@value #MAX_DROPOUT} ahead or {@value #MAX_MISORDER} behind (RFC 3550 A.1) is held
 *       as a possible sender restart and dropped ({@code sequence-jump}) unless the next packet continues it; then
 *       the buffer plays out what it holds and restarts at the new sequence, flagged as a discontinuity.</li>
 * </ul>
 * Also computes the RFC 3550 interarrival jitter. One instance per stream; one thread at a time.
 */
public final class JitterBuffer {
    static final int MAX_DROPOUT = 3000;
    static final int MAX_MISORDER = 100;
    private static final long NONE = Long.MIN_VALUE;

    private final long depthNanos;
    private final int clockRate;
    private final int maxPackets;
    private final DropCounter drops;
    private final WrapAroundCounter seq = new WrapAroundCounter(16);
    private final WrapAroundCounter ts = new WrapAroundCounter(32);
    private final TreeMap<Long, Held> held = new TreeMap<>();
    private long nextSeq = NONE;
    /** Bit k set: sequence index {@code nextSeq - 1 - k} was played out. */
    private long playedBits;
    private boolean discontinuityNext;
    private RtpPacket jumpCandidate;
    private final ArrayDeque<PlayoutPacket> backlog = new ArrayDeque<>();

    private long inserted;
    private long released;
    private long lost;
    private long late;
    private long duplicates;
    private long restarts;
    private double jitterTicks;
    private double lastTransit = Double.NaN;

    private record Held(RtpPacket packet, long seqIndex, long tsIndex) {
    }

    /**
     * @param depthNanos how long a hole may hold back later packets (60-200 ms suits captions)
     * @param clockRate  the stream's RTP clock, to measure held media and jitter
     * @param maxPackets held packets beyond which holes are declared lost regardless of time
     */
    public JitterBuffer(long depthNanos, int clockRate, int maxPackets, DropCounter drops) {
        if (depthNanos < 0) throw new IllegalArgumentException("depth must be >= 0");
        if (clockRate <= 0 || maxPackets < 1) throw new IllegalArgumentException("bad clock rate or packet limit");
        this.depthNanos = depthNanos;
        this.clockRate = clockRate;
        this.maxPackets = maxPackets;
        this.drops = drops;
    }

    /**
     * Takes a packet in. Returns false when it was dropped (reason counted).
     */
    public boolean insert(RtpPacket p) {
        if (jumpCandidate != null) {
            RtpPacket first = jumpCandidate;
            jumpCandidate = null;
            if (p.sequenceNumber() == ((first.sequenceNumber() + 1) & 0xffff) && p.ssrc() == first.ssrc()) {
                restart();
                insertInOrder(first);
                return insertInOrder(p);
            }
        }
        if (nextSeq != NONE && outOfRange(p)) {
            jumpCandidate = p;
            drops.drop("sequence-jump", "seq " + p.sequenceNumber() + " is far from the expected "
                    + (nextSeq & 0xffff));
            return false;
        }
        return insertInOrder(p);
    }

    /**
     * The sender restarted (a new SSRC on the same stream, or a confirmed sequence jump): what is held is played
     * out first, then numbering starts afresh and the next packet released is flagged as a discontinuity.
     */
    public void restart() {
        for (PlayoutPacket p = fromHeld(0, true); p != null; p = fromHeld(0, true)) backlog.add(p);
        seq.reset();
        ts.reset();
        nextSeq = NONE;
        playedBits = 0;
        lastTransit = Double.NaN;
        discontinuityNext = true;
        restarts++;
    }

    private boolean outOfRange(RtpPacket p) {
        int expected = (int) (nextSeq & 0xffff);
        int ahead = (p.sequenceNumber() - expected) & 0xffff;
        int behind = (expected - p.sequenceNumber()) & 0xffff;
        return ahead > MAX_DROPOUT && behind > MAX_MISORDER;
    }

    private boolean insertInOrder(RtpPacket p) {
        long si = seq.unwrap(p.sequenceNumber());
        long ti = ts.unwrap(p.timestamp());
        updateJitter(p, ti);
        if (nextSeq != NONE && si < nextSeq) {
            long k = nextSeq - 1 - si;
            if (k < 64 && (playedBits & (1L << k)) != 0) {
                duplicates++;
                drops.drop("duplicate", "seq " + p.sequenceNumber() + " already played");
            } else {
                late++;
                drops.drop("late", "seq " + p.sequenceNumber() + " arrived after its slot was declared lost");
            }
            return false;
        }
        if (held.containsKey(si)) {
            duplicates++;
            drops.drop("duplicate", "seq " + p.sequenceNumber() + " already buffered");
            return false;
        }
        if (held.size() >= 4 * maxPackets) {
            drops.drop("buffer-full", held.size() + " packets held");
            return false;
        }
        held.put(si, new Held(p, si, ti));
        inserted++;
        return true;
    }

    /** The next packet due at {@code now}, or {@code null} when none is due yet. */
    public PlayoutPacket poll(long now) {
        return next(now, false);
    }

    private PlayoutPacket next(long now, boolean force) {
        if (!backlog.isEmpty()) return backlog.poll();
        return fromHeld(now, force);
    }

    private PlayoutPacket fromHeld(long now, boolean force) {
        Map.Entry<Long, Held> head = held.firstEntry();
        if (head == null) return null;
        Held h = head.getValue();
        if (nextSeq == NONE) {
            if (!force && !holdExpired(now)) return null;
            nextSeq = h.seqIndex;
        }
        int missing = (int) Math.min(Integer.MAX_VALUE, h.seqIndex - nextSeq);
        if (missing > 0 && !force && !holdExpired(now)) return null;
        held.pollFirstEntry();
        playedBits = missing >= 63 ? 1L : (playedBits << (missing + 1)) | 1L;
        nextSeq = h.seqIndex + 1;
        released++;
        lost += missing;
        boolean discontinuity = discontinuityNext;
        discontinuityNext = false;
        return new PlayoutPacket(h.packet, h.seqIndex, h.tsIndex, missing, discontinuity);
    }

    /** Everything due at {@code now}, in order. */
    public List<PlayoutPacket> pollAll(long now) {
        List<PlayoutPacket> out = new ArrayList<>(2);
        for (PlayoutPacket p = poll(now); p != null; p = poll(now)) out.add(p);
        return out;
    }

    /** Plays out everything held, holes and all (end of stream). */
    public List<PlayoutPacket> drain() {
        List<PlayoutPacket> out = new ArrayList<>(held.size());
        for (PlayoutPacket p = next(0, true); p != null; p = next(0, true)) out.add(p);
        return out;
    }

    /** When {@link #poll} will next have something to release, or {@link Long#MAX_VALUE} when it waits for input. */
    public long nextDeadline() {
        if (!backlog.isEmpty()) return Long.MIN_VALUE;
        Map.Entry<Long, Held> head = held.firstEntry();
        if (head == null) return Long.MAX_VALUE;
        if (nextSeq != NONE && head.getKey() == nextSeq) return Long.MIN_VALUE;
        return oldestArrival() + depthNanos;
    }

    private boolean holdExpired(long now) {
        if (held.size() > maxPackets) return true;
        return now - oldestArrival() >= depthNanos;
    }

    private long oldestArrival() {
        long oldest = Long.MAX_VALUE;
        for (Held h : held.values()) oldest = Math.min(oldest, h.packet.arrivalNanos());
        return oldest;
    }

    private void updateJitter(RtpPacket p, long tsIndex) {
        double arrivalTicks = p.arrivalNanos() * (clockRate / 1e9);
        double transit = arrivalTicks - tsIndex;
        if (!Double.isNaN(lastTransit)) jitterTicks += (Math.abs(transit - lastTransit) - jitterTicks) / 16;
        lastTransit = transit;
    }

    public int heldPackets() {
        return held.size() + backlog.size();
    }

    /** Counters since the stream started. */
    public Stats stats() {
        return new Stats(inserted, released, lost, late, duplicates, restarts, jitterTicks * 1000.0 / clockRate);
    }

    /**
     * @param jitterMillis RFC 3550 interarrival jitter, in milliseconds
     */
    public record Stats(long inserted, long released, long lost, long late, long duplicates, long restarts,
            double jitterMillis) {
    }
}
