package org.streamasr.api;

import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

/**
 * A count read from a store that may be slow or unreachable (JetStream), kept for a scrape of {@code /metrics} to
 * read without waiting: {@link #refresh()} runs in the background, and {@link #ageSeconds()} says how old the value
 * is, so a value that could not be refreshed is marked stale instead of being served as new or as zero.
 */
final class RefreshedCount {
    private final IntSupplier read;
    private final LongSupplier nanoClock;
    private volatile int value;
    /** When the value was last read; the creation time until then. */
    private volatile long readAtNanos;

    RefreshedCount(IntSupplier read, LongSupplier nanoClock) {
        this.read = read;
        this.nanoClock = nanoClock;
        this.readAtNanos = nanoClock.getAsLong();
    }

    /** Reads the count (may wait on the store); on failure the last value stays and ages. */
    void refresh() {
        try {
            int v = read.getAsInt();
            value = v;
            readAtNanos = nanoClock.getAsLong();
        } catch (RuntimeException e) {
            // unreachable now: the age says so
        }
    }

    int value() {
        return value;
    }

    double ageSeconds() {
        return (nanoClock.getAsLong() - readAtNanos) / 1e9;
    }
}
