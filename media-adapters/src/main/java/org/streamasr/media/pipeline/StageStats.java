package org.streamasr.media.pipeline;

/** Counts of one stage: items in, out, dropped, and the time spent in its transform. */
public record StageStats(String stage, long in, long out, long dropped, long nanos) {
    @Override
    public String toString() {
        return String.format("%s: in %d, out %d, dropped %d, %.3f ms", stage, in, out, dropped, nanos / 1e6);
    }
}
