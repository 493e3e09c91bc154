package org.streamasr.api;

import java.security.SecureRandom;
import java.util.HexFormat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.streamasr.runtime.DistinctErrorLog;

/**
 * Unexpected failures: each gets an id that the client sees instead of a stack trace. The first occurrence of each
 * distinct failure (exception type, message with numbers aside, throwing frame) is logged with its stack trace, later ones on one line with
 * their id, so a failure repeated by every request cannot flood the log (the distinctness is the runtime kit's
 * {@link DistinctErrorLog}).
 */
public final class ErrorLog {
    private static final Logger LOG = LoggerFactory.getLogger(ErrorLog.class);
    private final SecureRandom random = new SecureRandom();
    private final DistinctErrorLog seen = new DistinctErrorLog();
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
        if (seen.count("hosted API", t)) {
            LOG.error("hosted API: unexpected failure, error id {} ({})", id, context, t);
        } else {
            LOG.error("hosted API: unexpected failure, error id {} ({}): {} (stack trace logged at its first occurrence)",
                    id, context, t.toString());
        }
        return id;
    }
}
