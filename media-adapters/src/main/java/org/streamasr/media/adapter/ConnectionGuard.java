package org.streamasr.media.adapter;

/**
 * Who may connect to a WebSocket adapter, decided on the upgrade request before any session opens (README "Connecting
 * media servers", how each adapter is locked). Set on an endpoint's config under {@link #PROPERTY}; a refused
 * connection is closed with 1008 (policy violation) and counted "unauthorized" under the adapter's component.
 */
@FunctionalInterface
public interface ConnectionGuard {
    /** The user property of a {@code ServerEndpointConfig} that holds its guard. */
    String PROPERTY = ConnectionGuard.class.getName();

    /** Null when {@code connection} may open, else why not (for the log; the peer only hears "unauthorized"). */
    String refusal(ConnectionInfo connection);
}
