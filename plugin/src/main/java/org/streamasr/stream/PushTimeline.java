package org.streamasr.stream;

/**
 * When each recent push reached which point of a stream, so that a result can be timed from the packet that
 * completed the audio it covers. A fixed ring (no allocation per push); older pushes fall out. Thread-safe.
 */
final class PushTimeline {
    private final long[] endSample;
    private final long[] atNanos;
    private int next;
    private int count;

    PushTimeline(int capacity) {
        endSample = new long[capacity];
        atNanos = new long[capacity];
    }

    /** The stream had accepted {@code endSample} samples at {@code nanos}. */
    synchronized void record(long endSample, long nanos) {
        this.endSample[next] = endSample;
        this.atNanos[next] = nanos;
        next = (next + 1) % this.endSample.length;
        if (count < this.endSample.length) count++;
    }

    /**
     * Nanoseconds from the first push that reached {@code sample} to {@code nowNanos}; -1 when that push is no longer
     * (or not yet) in the ring.
     */
    synchronized long latencyNanos(long sample, long nowNanos) {
        if (count == 0) return -1;
        int oldest = (next - count + endSample.length) % endSample.length;
        if (endSample[oldest] >= sample && count == endSample.length) return -1;
        for (int i = 0; i < count; i++) {
            int at = (oldest + i) % endSample.length;
            if (endSample[at] >= sample) return nowNanos - atNanos[at];
        }
        return -1;
    }
}
