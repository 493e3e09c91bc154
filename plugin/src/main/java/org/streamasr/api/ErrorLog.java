package org.streamasr.api;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Unexpected failures: each gets an id that the client sees instead of a stack trace. The first occurrence of each
 * distinct failure (exception type and throwing frame) is logged with its stack trace, later ones on one line with
 * their id, so a failure repeated by every request cannot flood the log.
 */
public final class ErrorLog {
    private static final Logger LOG = LoggerFactory.getLogger(ErrorLog.class);
    private static final int MAX_DISTINCT = 1000;

    private final SecureRandom random = new SecureRandom();
    private final Set<String> seen = ConcurrentHashMap.newKeySet();
    private final Runnable counter;

    public ErrorLog(Runnable counter) {
        this.counter = counter;
    }

    /** Logs {@code t} under a new id and returns the id. */
    public String report(String context, Throwable t) {
        byte[] b = new byte[6];
        random.nextBytes(b);
        String id = HexFormat.of().formatHex(b);
        counter.run();
        StackTraceElement top = t.getStackTrace().length == 0 ? null : t.getStackTrace()[0];
        String signature = t.getClass().getName() + "@" + top;
        if (seen.size() < MAX_DISTINCT && seen.add(signature)) {
            LOG.error("hosted API: unexpected failure, error id {} ({})", id, context, t);
        } else {
            LOG.error("hosted API: unexpected failure, error id {} ({}): {} (stack trace logged at its first occurrence)",
                    id, context, t.toString());
        }
        return id;
    }
}
