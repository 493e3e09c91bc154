package org.streamasr.media.sip;

import gov.nist.core.ServerLogger;
import gov.nist.core.StackLogger;
import gov.nist.javax.sip.message.SIPMessage;
import java.util.Properties;
import javax.sip.SipStack;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes JAIN-SIP's own logging to SLF4J. Jitsi's JAIN-SIP build logs through log4j 1.x unless a stack logger is
 * given; we never ship log4j. The stack's error reports about peers' bad messages go out at debug level: the
 * gateway counts bad input itself, and a peer must not be able to fill our logs.
 */
public final class JainSipLog implements StackLogger {
    private static final Logger LOG = LoggerFactory.getLogger("org.streamasr.media.sip.jainsip");

    /** Installs the adapter as the stack-wide logger; must run before the first stack is created. */
    static synchronized void install() {
        if (!(gov.nist.core.CommonLogger.legacyLogger instanceof JainSipLog)) gov.nist.core.CommonLogger.legacyLogger = new JainSipLog();
    }

    @Override public void logStackTrace() { }
    @Override public void logStackTrace(int traceLevel) { }
    @Override public int getLineCount() { return 0; }
    @Override public void logException(Throwable ex) { LOG.debug("JAIN-SIP", ex); }
    @Override public void logDebug(String message) { LOG.trace(message); }
    @Override public void logTrace(String message) { LOG.trace(message); }
    @Override
    public void logFatalError(String message) {
        // "bad event" is the wake-up SipTransportStack posts to stop the event scanner; anything else is worth a warning
        if (message != null && message.startsWith("bad event")) LOG.trace(message);
        else LOG.warn(message);
    }

    @Override public void logError(String message) { LOG.debug(message); }
    @Override public void logError(String message, Exception ex) { LOG.debug(message, ex); }
    @Override public void logWarning(String message) { LOG.debug(message); }
    @Override public void logInfo(String message) { LOG.debug(message); }
    @Override public boolean isLoggingEnabled() { return LOG.isDebugEnabled(); }
    @Override public void disableLogging() { }
    @Override public void enableLogging() { }
    @Override public void setBuildTimeStamp(String buildTimeStamp) { }
    @Override public void setStackProperties(Properties stackProperties) { }
    @Override public String getLoggerName() { return LOG.getName(); }

    @Override
    public boolean isLoggingEnabled(int logLevel) {
        // JAIN-SIP levels: 0 off, 4 fatal, 8 error, 16 warn, 20 info, 32 debug, 64 trace
        return logLevel <= 8 ? LOG.isDebugEnabled() : LOG.isTraceEnabled();
    }

    /** Message tracing: off unless the jainsip logger is at trace level. */
    public static final class Messages implements ServerLogger {
        @Override public void closeLogFile() { }
        @Override public void logException(Exception ex) { LOG.debug("JAIN-SIP", ex); }
        @Override public void setStackProperties(Properties stackProperties) { }
        @Override public void setSipStack(SipStack sipStack) { }

        @Override
        public void logMessage(SIPMessage message, String from, String to, boolean sender, long time) {
            if (LOG.isTraceEnabled()) LOG.trace("{} {} -> {}\n{}", sender ? "sent" : "received", from, to, message);
        }

        @Override
        public void logMessage(SIPMessage message, String from, String to, String status, boolean sender, long time) {
            logMessage(message, from, to, sender, time);
        }

        @Override
        public void logMessage(SIPMessage message, String from, String to, String status, boolean sender) {
            logMessage(message, from, to, sender, 0);
        }
    }
}
