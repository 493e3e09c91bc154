package org.streamasr.runtime;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A stream's audio between the producer and the recogniser's worker (the Nemotron engine's and the sphinx engine's):
 * a bounded ring of samples. A live producer that
 * outruns the engine loses the oldest audio (stale captions are worth less than fresh ones); a file producer waits
 * for room. Dropped stretches are remembered so that later times stay on the stream's clock (samples accepted).
 * The lock is held for copies only.
 */
public final class AudioInbox {
    /** From the {@code taken}-th sample on, the stream clock is ahead of the taken samples by {@code dropped}. */
    public record Gap(long taken, long dropped) {
    }

    private final int capacity;
    private float[] ring;
    private int head;
    private int size;
    private long taken;
    private long dropped;
    private boolean closed;
    private final List<Gap> gaps = new ArrayList<>();

    public AudioInbox(int capacity) {
        if (capacity < 1) throw new IllegalArgumentException("stream buffer must hold at least one sample");
        this.capacity = capacity;
        this.ring = new float[Math.min(capacity, 16_000)];
    }

    /** Appends, dropping the oldest samples when full; returns how many samples were dropped. */
    public synchronized int offer(float[] samples, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, samples.length);
        if (closed) return 0;
        int overflow = size + length - capacity;
        int lost = 0;
        if (overflow > 0) {
            int fromRing = Math.min(overflow, size);
            head = (head + fromRing) % ring.length;
            size -= fromRing;
            int fromInput = overflow - fromRing;
            offset += fromInput;
            length -= fromInput;
            lost = overflow;
            dropped += overflow;
            if (!gaps.isEmpty() && gaps.get(gaps.size() - 1).taken() == taken) gaps.remove(gaps.size() - 1);
            gaps.add(new Gap(taken, dropped));
        }
        put(samples, offset, length);
        return lost;
    }

    /** Appends everything, waiting while the ring is full. Returns false if the inbox was closed meanwhile. */
    public synchronized boolean offerAwaiting(float[] samples, int offset, int length, Runnable onProgress) throws InterruptedException {
        Objects.checkFromIndexSize(offset, length, samples.length);
        while (length > 0) {
            if (closed) return false;
            int room = capacity - size;
            if (room == 0) {
                wait();
                continue;
            }
            int n = Math.min(room, length);
            put(samples, offset, n);
            offset += n;
            length -= n;
            onProgress.run();
        }
        return true;
    }

    private void put(float[] samples, int offset, int length) {
        if (size + length > ring.length) grow(size + length);
        int tail = (head + size) % ring.length;
        int first = Math.min(length, ring.length - tail);
        System.arraycopy(samples, offset, ring, tail, first);
        System.arraycopy(samples, offset + first, ring, 0, length - first);
        size += length;
    }

    private void grow(int needed) {
        float[] bigger = new float[Math.min(capacity, Math.max(needed, ring.length * 2))];
        int first = Math.min(size, ring.length - head);
        System.arraycopy(ring, head, bigger, 0, first);
        System.arraycopy(ring, 0, bigger, first, size - first);
        ring = bigger;
        head = 0;
    }

    /** Moves up to {@code max} samples into {@code dst}; returns how many. */
    public synchronized int take(float[] dst, int max) {
        int n = Math.min(max, size);
        int first = Math.min(n, ring.length - head);
        System.arraycopy(ring, head, dst, 0, first);
        System.arraycopy(ring, 0, dst, first, n - first);
        head = (head + n) % ring.length;
        size -= n;
        taken += n;
        if (n > 0) notifyAll();
        return n;
    }

    public synchronized int available() {
        return size;
    }

    /** Samples taken so far plus those waiting: what the worker can reach. */
    public synchronized long reachable() {
        return taken + size;
    }

    public synchronized long dropped() {
        return dropped;
    }

    /**
     * Samples dropped before the {@code takenIndex}-th taken sample: the stream clock is this far ahead of it. Callers
     * ask with non-decreasing indices, so gaps that later questions cannot need are forgotten.
     */
    public synchronized long droppedBefore(long takenIndex) {
        while (gaps.size() > 1 && gaps.get(1).taken() <= takenIndex) gaps.remove(0);
        return gaps.isEmpty() || gaps.get(0).taken() > takenIndex ? 0 : gaps.get(0).dropped();
    }

    /** Wakes and refuses waiting producers; later offers are ignored. */
    public synchronized void close() {
        closed = true;
        notifyAll();
    }
}
