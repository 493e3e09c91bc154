package org.streamasr.server;

import java.util.Deque;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.logging.Filter;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.glassfish.tyrus.core.l10n.LocalizationMessages;
import org.streamasr.runtime.DropCounter;

/**
 * A WebSocket frame larger than Tyrus' incoming buffer never reaches an endpoint: Tyrus closes the connection (1011
 * "Buffer overflow.") and logs a warning with a stack trace, once per such frame, so any client could fill the log and
 * nothing would count it. This filter on Tyrus' logger turns those records into a counted drop,
 * {@code asr_media_dropped_total{component="websocket",reason="message-too-large"}}, logged by the {@link DropCounter}
 * at most once per interval without a stack trace; every other record passes.
 *
 * <p>The drop goes to the most recently started server that is still open (one per process in production).
 */
final class TyrusOverflowLog implements Filter {
    /** Held here: JUL keeps loggers weakly, and a collected logger would lose its filter. */
    private static final Logger TYRUS = Logger.getLogger("org.glassfish.tyrus.core.TyrusEndpointWrapper");
    private static final Deque<DropCounter> SERVERS = new ConcurrentLinkedDeque<>();
    private static final TyrusOverflowLog INSTANCE = new TyrusOverflowLog();

    private TyrusOverflowLog() {
    }

    static synchronized void register(DropCounter drops) {
        SERVERS.push(drops);
        TYRUS.setFilter(INSTANCE);
    }

    static synchronized void unregister(DropCounter drops) {
        SERVERS.remove(drops);
    }

    @Override
    public boolean isLoggable(LogRecord record) {
        Throwable thrown = record.getThrown();
        if (!(thrown instanceof IllegalArgumentException)
                || !LocalizationMessages.BUFFER_OVERFLOW().equals(thrown.getMessage())) {
            return true;
        }
        DropCounter drops = SERVERS.peek();
        if (drops == null) return true;
        drops.drop("message-too-large", "a WebSocket frame larger than the server's incoming buffer (the largest "
                + "max-message, at least 1 MiB); connection closed with 1011");
        return false;
    }
}
