package org.streamasr.runtime;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts what a component dropped, per reason, and logs each reason at most once per interval.
 *
 * <p>Bad input on the media path is a return value, not an exception: a parser that sees garbage calls
 * {@link #drop(String, String)} and keeps going. The log line names the component, the reason, a detail, and how
 * many drops of that reason were not logged since the last line.
 */
public final class DropCounter {
    private static final long DEFAULT_LOG_INTERVAL_NANOS = 10_000_000_000L;

    private final String component;
    private final Logger log;
    private final LongSupplier nanoClock;
    private final long logIntervalNanos;
    private final Map<String, Reason> reasons = new ConcurrentHashMap<>();

    public DropCounter(String component) {
        this(component, System::nanoTime, DEFAULT_LOG_INTERVAL_NANOS);
    }

    /**
     * @param nanoClock        the time the log interval is measured on (nanoseconds; {@code System::nanoTime}, or an
     *                         injected clock in tests)
     * @param logIntervalNanos at most one log line per reason per this long
     */
    public DropCounter(String component, LongSupplier nanoClock, long logIntervalNanos) {
        this.component = component;
        this.log = LoggerFactory.getLogger("org.streamasr.media.drops." + component);
        this.nanoClock = nanoClock;
        this.logIntervalNanos = logIntervalNanos;
    }

    public String component() {
        return component;
    }

    /** Counts one dropped item for {@code reason} (a short stable token such as "truncated-header"). */
    public void drop(String reason, String detail) {
        Reason r = reasons.computeIfAbsent(reason, k -> new Reason());
        r.count.increment();
        long now = nanoClock.getAsLong();
        long last = r.lastLogNanos.get();
        if ((last == Long.MIN_VALUE || now - last >= logIntervalNanos) && r.lastLogNanos.compareAndSet(last, now)) {
            long total = r.count.sum();
            long suppressed = total - r.loggedAt.getAndSet(total) - 1;
            log.warn("{} dropped input: {} ({}){}", component, reason, detail,
                    suppressed > 0 ? "; " + suppressed + " more of this reason since the last report" : "");
        }
    }

    /**
     * Counts one item dropped by design rather than for bad input (RTCP on an RTP port, which the README promises to
     * ignore): counted under {@code reason} like any drop, never logged.
     */
    public void dropQuietly(String reason) {
        reasons.computeIfAbsent(reason, k -> new Reason()).count.increment();
    }

    public long count(String reason) {
        Reason r = reasons.get(reason);
        return r == null ? 0 : r.count.sum();
    }

    public long total() {
        return reasons.values().stream().mapToLong(r -> r.count.sum()).sum();
    }

    /** Counts per reason, sorted by reason. */
    public Map<String, Long> snapshot() {
        Map<String, Long> out = new TreeMap<>();
        reasons.forEach((k, v) -> out.put(k, v.count.sum()));
        return out;
    }

    private static final class Reason {
        final LongAdder count = new LongAdder();
        final AtomicLong lastLogNanos = new AtomicLong(Long.MIN_VALUE);
        final AtomicLong loggedAt = new AtomicLong();
    }
}
