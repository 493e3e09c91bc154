package org.streamasr.runtime;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records errors caught at worker loops and logs each distinct one once, with its stack trace; repeats are only
 * counted (Agrona's {@code DistinctErrorLog}). Two errors are the same when their class, throwing frame and message
 * are, numbers in the message aside ("2048 events" and "2049 events" are one error). Past {@link #MAX_DISTINCT} distinct errors, new ones are counted under one overflow key.
 */
public final class DistinctErrorLog {
    static final int MAX_DISTINCT = 1_000;
    private static final String OVERFLOW = "(more distinct errors than the log keeps)";
    private static final Logger LOG = LoggerFactory.getLogger(DistinctErrorLog.class);

    private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();

    /**
     * Counts {@code error}, seen in {@code where} (a stage name such as "transcript-delivery"); logs it if it is
     * new. Returns true when it was new.
     */
    public boolean record(String where, Throwable error) {
        boolean fresh = count(where, error);
        if (fresh) LOG.error("{} failed (logged once; repeats are counted): {}", where, error.toString(), error);
        return fresh;
    }

    /**
     * Counts {@code error} without logging it; returns true when it is the first of its kind, for a caller that
     * writes its own line (the hosted API's, which carries an error id) with the stack trace only then.
     */
    public boolean count(String where, Throwable error) {
        String key = where + ": " + keyOf(error);
        LongAdder count = counts.get(key);
        if (count == null && counts.size() >= MAX_DISTINCT) {
            counts.computeIfAbsent(OVERFLOW, k -> new LongAdder()).increment();
            return false;
        }
        boolean[] fresh = {false};
        counts.computeIfAbsent(key, k -> {
            fresh[0] = true;
            return new LongAdder();
        }).increment();
        return fresh[0];
    }

    public long total() {
        return counts.values().stream().mapToLong(LongAdder::sum).sum();
    }

    /** Count per distinct error, sorted by key. */
    public Map<String, Long> snapshot() {
        Map<String, Long> out = new TreeMap<>();
        counts.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }

    private static String keyOf(Throwable error) {
        StackTraceElement[] trace = error.getStackTrace();
        String frame = trace.length == 0 ? "?" : trace[0].getClassName() + "." + trace[0].getMethodName();
        String message = error.getMessage() == null ? "" : error.getMessage().replaceAll("\\d+", "#");
        return error.getClass().getName() + "(" + message + ") at " + frame;
    }
}
