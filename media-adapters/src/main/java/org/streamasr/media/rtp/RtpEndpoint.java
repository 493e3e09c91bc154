package org.streamasr.media.rtp;

import java.net.InetSocketAddress;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.Optional;
import org.streamasr.media.CallHandle;

/**
 * One RTP port of one call: a UDP socket read by the shared network thread of {@link RtpEndpoints}, feeding an
 * {@link RtpSession} (filtering, SSRC → participant routing, one {@link RtpStream} per participant). See
 * {@link RtpSession} for what happens to each datagram, latching onto the sender, and the timeouts.
 *
 * <p>{@link #close()} releases the port, plays out what the streams hold, and closes the participants (not the
 * call: its owner does that).
 */
public final class RtpEndpoint implements AutoCloseable {

    /** Events of an endpoint (or session), called on the network thread: implementations must not block. */
    public interface Listener {
        Listener NONE = new Listener() { };

        /** The endpoint latched onto a sender (first packet, or a new one after the old fell silent). */
        default void onRemoteAddress(InetSocketAddress remote) {
        }

        /** No RTP arrived for {@code idle}; reported once until packets flow again. */
        default void onInactive(Duration idle) {
        }

        /**
         * {@link #onInactive(Duration)}, with the number of the last {@link #restartInactivityTimer() restart} the
         * report took into account (0: none): one with a smaller number than a restart asked for was made before it.
         */
        default void onInactive(Duration idle, long restartsSeen) {
            onInactive(idle);
        }
    }

    private final RtpEndpoints owner;
    private final DatagramChannel channel;
    private final RtpSession session;
    private final InetSocketAddress local;

    RtpEndpoint(RtpEndpoints owner, DatagramChannel channel, RtpEndpointSpec spec, CallHandle call, Listener listener)
            throws java.io.IOException {
        this.owner = owner;
        this.channel = channel;
        this.local = (InetSocketAddress) channel.getLocalAddress();
        this.session = new RtpSession(spec, call, listener, owner.cpu(), owner.timer(), owner.clock(), owner.metrics());
    }

    public int localPort() {
        return local.getPort();
    }

    public InetSocketAddress localAddress() {
        return local;
    }

    /** The sender this endpoint latched onto, once one has sent valid RTP. */
    public Optional<InetSocketAddress> remoteAddress() {
        return session.remoteAddress();
    }

    public RtpEndpointSpec spec() {
        return session.spec();
    }

    public String callId() {
        return session.callId();
    }

    /** The streams now open, by participant id (for stats and tests). */
    public Map<String, RtpStream> streams() {
        return session.streams();
    }

    RtpSession session() {
        return session;
    }

    DatagramChannel channel() {
        return channel;
    }

    /** Starts the inactivity timeout afresh from now (see {@link RtpSession#restartInactivityTimer()}). */
    public long restartInactivityTimer() {
        return session.restartInactivityTimer();
    }

    /** Releases the port, then closes the session (see {@link RtpSession#close()}). Idempotent. */
    @Override
    public void close() {
        owner.unregister(this);
        session.close();
    }

    /**
     * Releases the port and starts closing the session without waiting (see {@link RtpSession#closeAsync()}):
     * completes once the streams played out what they held and closed their participants. Idempotent.
     */
    public CompletableFuture<Void> closeAsync() {
        owner.unregister(this);
        return session.closeAsync();
    }
}
