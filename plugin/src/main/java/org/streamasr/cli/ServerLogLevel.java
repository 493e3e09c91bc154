package org.streamasr.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.slf4j.LoggerFactory;

/** Turns the log of a server run inside a console command down, so that the command's own output stays readable. */
public final class ServerLogLevel {
    private ServerLogLevel() {
    }

    /** From now on only warnings and errors are logged (when logback is the binding; otherwise nothing changes). */
    public static void warningsOnly() {
        if (LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME) instanceof Logger root) root.setLevel(Level.WARN);
    }
}
