package org.streamasr.runtime;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Thread factories that name their threads ("asr-events-3", "media-timer"), so thread dumps and leak checks say whose
 * they are, and that log what escapes a thread instead of losing it on stderr. Every pool and scheduler of the server
 * gets its threads here.
 */
public final class NamedThreads {
    private static final Logger LOG = LoggerFactory.getLogger(NamedThreads.class);

    private NamedThreads() {
    }

    /** Threads named {@code prefix-1}, {@code prefix-2}, ... */
    public static ThreadFactory factory(String prefix, boolean daemon) {
        AtomicInteger n = new AtomicInteger();
        return r -> thread(r, prefix + "-" + n.incrementAndGet(), daemon);
    }

    /** Threads all named {@code name} (a single-thread executor or scheduler). */
    public static ThreadFactory single(String name, boolean daemon) {
        return r -> thread(r, name, daemon);
    }

    /** A thread named {@code name} (a selector or I/O loop that is not an executor's). */
    public static Thread thread(Runnable body, String name, boolean daemon) {
        Thread t = new Thread(body, name);
        t.setDaemon(daemon);
        t.setUncaughtExceptionHandler((th, e) -> {
            LOG.error("uncaught in {}", th.getName(), e);
            // a process-wide handler (the tests' leak check) still hears of it
            Thread.UncaughtExceptionHandler all = Thread.getDefaultUncaughtExceptionHandler();
            if (all != null) all.uncaughtException(th, e);
        });
        return t;
    }
}
