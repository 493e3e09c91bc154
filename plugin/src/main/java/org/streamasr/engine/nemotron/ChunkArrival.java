package org.streamasr.engine.nemotron;

/**
 * When a stream's next chunk is expected ready, from the rate its audio has arrived at so far (samples reachable
 * against the producer's clock): the batch scheduler lets ready streams wait only for streams expected within its
 * wait. A live stream arrives at about real time; a file offered at once is ready at once. Times are
 * {@link System#nanoTime()} values passed in, so the estimate is tested on an injected clock.
 */
final class ChunkArrival {
    /** No estimate: no audio has arrived at a measurable rate yet. */
    static final long NEVER = Long.MAX_VALUE;

    private long firstNanos = -1;
    private long firstSamples;
    private long lastNanos;
    private long lastSamples;

    /** Audio arrived: {@code reachable} samples so far at {@code now}. */
    synchronized void arrived(long reachable, long now) {
        if (firstNanos < 0) {
            firstNanos = now;
            firstSamples = reachable;
        }
        lastNanos = now;
        lastSamples = reachable;
    }

    /**
     * When {@code needs} samples will be reachable: {@code now} when they are, else the last arrival plus the missing
     * samples at the average rate seen since the first arrival; {@link #NEVER} when there is no rate yet.
     */
    synchronized long expectedAt(long needs, long reachable, long now) {
        if (reachable >= needs) return now;
        long samples = lastSamples - firstSamples;
        long nanos = lastNanos - firstNanos;
        if (firstNanos < 0 || samples <= 0 || nanos <= 0) return NEVER;
        double nanosPerSample = nanos / (double) samples;
        double at = lastNanos + Math.ceil((needs - reachable) * nanosPerSample);
        return at >= NEVER ? NEVER : (long) at;
    }
}
