package org.streamasr.server;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/** Thread factories that name their threads ("asr-events-3"), so thread dumps and leak checks say whose they are. */
public final class NamedThreads {
    private NamedThreads() {
    }

    public static ThreadFactory factory(String prefix, boolean daemon) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(daemon);
            return t;
        };
    }
}
