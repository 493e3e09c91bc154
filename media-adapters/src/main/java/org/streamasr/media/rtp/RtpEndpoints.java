package org.streamasr.media.rtp;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.Iterator;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.streamasr.runtime.NamedThreads;
import org.streamasr.media.CallHandle;
import org.streamasr.runtime.DropCounter;
import org.streamasr.media.MediaMetrics;
import org.streamasr.media.pipeline.MediaExecutors;
import org.streamasr.media.pipeline.MediaTimer;

/**
 * The RTP side of a server: allocates UDP ports for calls ({@link #open}) and receives on all of them with one
 * network thread ({@code rtp-io}, NIO selector), which only parses and hands packets to the streams' workers on the
 * shared CPU pool. One instance per server.
 *
 * <p>Used by the hosted API ({@code POST /v1/calls} with an {@code rtp} section: {@link RtpEndpointSpec#forRequest}),
 * by Asterisk ARI externalMedia ({@link AriExternalMedia}) and by the SIP adapter (payload types from SDP, an SRTP
 * {@link PacketTransformer}, the latched remote address for symmetric RTP).
 */
public final class RtpEndpoints implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RtpEndpoints.class);
    private static final int READS_PER_WAKEUP = 64;
    private static final long HOUSEKEEPING_NANOS = 250_000_000L;

    /**
     * @param bindAddress      address to bind ports on (wildcard for all interfaces)
     * @param portMin          lowest port to allocate, or 0 with portMax 0 for ephemeral ports
     * @param portMax          highest port
     * @param receiveBufferBytes socket receive buffer (SO_RCVBUF) per port
     */
    public record Config(InetAddress bindAddress, int portMin, int portMax, int receiveBufferBytes) {
        public Config {
            if (bindAddress == null) throw new IllegalArgumentException("bind address must be given");
            if (portMin < 0 || portMax > 65535 || portMin > portMax || (portMin == 0) != (portMax == 0)) {
                throw new IllegalArgumentException("RTP port range " + portMin + ".." + portMax + " is invalid");
            }
            if (receiveBufferBytes < 16 * 1024) throw new IllegalArgumentException("receive buffer below 16 KiB");
        }

        /** Ephemeral ports on all interfaces (tests, single-host setups). */
        public static Config ephemeral() {
            return new Config(wildcard(), 0, 0, 1 << 20);
        }

        private static InetAddress wildcard() {
            try {
                return InetAddress.getByName("0.0.0.0");
            } catch (java.net.UnknownHostException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private final Config config;
    private final Executor cpu;
    private final MediaTimer timer;
    private final LongSupplier clock;
    private final MediaMetrics metrics;
    private final DropCounter drops;
    private final Selector selector;
    private final Thread io;
    private final ConcurrentLinkedQueue<RtpEndpoint> pending = new ConcurrentLinkedQueue<>();
    private final Set<RtpEndpoint> endpoints = ConcurrentHashMap.newKeySet();
    private final ByteBuffer readBuffer = ByteBuffer.allocateDirect(65_536);
    private int nextPort;
    private volatile boolean running = true;

    public RtpEndpoints(Config config, MediaExecutors executors, MediaMetrics metrics) throws IOException {
        this(config, executors.cpu(), executors.mediaTimer(), System::nanoTime, metrics);
    }

    /** With an injected clock, pool and timer (tests). */
    public RtpEndpoints(Config config, Executor cpu, MediaTimer timer, LongSupplier clock, MediaMetrics metrics)
            throws IOException {
        this.config = config;
        this.cpu = cpu;
        this.timer = timer;
        this.clock = clock;
        this.metrics = metrics;
        this.drops = metrics.dropCounter("rtp");
        this.nextPort = config.portMin();
        this.selector = Selector.open();
        this.io = NamedThreads.thread(this::loop, "rtp-io", true);
        io.start();
    }

    /**
     * Binds a port for a call and starts receiving on it.
     *
     * @throws IOException when no port of the range is free
     */
    public RtpEndpoint open(RtpEndpointSpec spec, CallHandle call, RtpEndpoint.Listener listener) throws IOException {
        if (!running) throw new IOException("RTP receiver is shut down");
        DatagramChannel ch = bind();
        RtpEndpoint ep;
        try {
            ep = new RtpEndpoint(this, ch, spec, call, listener);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
        endpoints.add(ep);
        pending.add(ep);
        selector.wakeup();
        metrics.counter("rtp.endpoints.opened").increment();
        LOG.info("call {}: RTP port {} open ({})", call.callId(), ep.localPort(), spec);
        return ep;
    }

    /** Endpoints now open. */
    public int openEndpoints() {
        return endpoints.size();
    }

    private synchronized DatagramChannel bind() throws IOException {
        if (config.portMin() == 0) return bindAt(0);
        int span = config.portMax() - config.portMin() + 1;
        for (int i = 0; i < span; i += 2) {
            int port = nextPort;
            nextPort = port + 2 > config.portMax() ? config.portMin() : port + 2;
            try {
                return bindAt(port);
            } catch (BindException e) {
                // taken: try the next even port
            }
        }
        throw new IOException("no free RTP port in " + config.portMin() + ".." + config.portMax());
    }

    private DatagramChannel bindAt(int port) throws IOException {
        DatagramChannel ch = DatagramChannel.open();
        try {
            ch.setOption(StandardSocketOptions.SO_RCVBUF, config.receiveBufferBytes());
            ch.bind(new InetSocketAddress(config.bindAddress(), port));
            ch.configureBlocking(false);
            return ch;
        } catch (IOException e) {
            ch.close();
            throw e;
        }
    }

    void unregister(RtpEndpoint ep) {
        if (!endpoints.remove(ep)) return;
        try {
            ep.channel().close();
        } catch (IOException e) {
            LOG.debug("closing RTP port", e);
        }
        selector.wakeup();
    }

    private void loop() {
        long nextHousekeeping = clock.getAsLong() + HOUSEKEEPING_NANOS;
        while (running) {
            try {
                selector.select(100);
                registerPending();
                Iterator<SelectionKey> it = selector.selectedKeys().iterator();
                while (it.hasNext()) {
                    SelectionKey key = it.next();
                    it.remove();
                    if (key.isValid() && key.isReadable()) readAll((RtpEndpoint) key.attachment());
                }
                long now = clock.getAsLong();
                if (now - nextHousekeeping >= 0) {
                    nextHousekeeping = now + HOUSEKEEPING_NANOS;
                    for (RtpEndpoint ep : endpoints) ep.session().housekeeping();
                }
            } catch (ClosedSelectorException e) {
                return;
            } catch (IOException | RuntimeException e) {
                drops.drop("io-error-" + e.getClass().getSimpleName(), String.valueOf(e.getMessage()));
            }
        }
    }

    private void registerPending() {
        for (RtpEndpoint ep = pending.poll(); ep != null; ep = pending.poll()) {
            try {
                if (ep.channel().isOpen()) ep.channel().register(selector, SelectionKey.OP_READ, ep);
            } catch (IOException e) {
                LOG.warn("cannot register RTP port of call {}", ep.callId(), e);
            }
        }
    }

    private void readAll(RtpEndpoint ep) {
        for (int i = 0; i < READS_PER_WAKEUP; i++) {
            readBuffer.clear();
            SocketAddress from;
            try {
                from = ep.channel().receive(readBuffer);
            } catch (IOException e) {
                drops.drop("receive-error", e.getMessage());
                return;
            }
            if (from == null) return;
            int len = readBuffer.position();
            if (len > RtpParser.MAX_PACKET) {
                drops.drop("oversized", len + " bytes from " + from);
                continue;
            }
            byte[] data = new byte[len];
            readBuffer.flip();
            readBuffer.get(data);
            ep.session().receive(data, len, (InetSocketAddress) from);
        }
    }

    MediaMetrics metrics() {
        return metrics;
    }

    Executor cpu() {
        return cpu;
    }

    MediaTimer timer() {
        return timer;
    }

    LongSupplier clock() {
        return clock;
    }

    /** Closes every endpoint (playing out their streams) and stops the network thread. */
    @Override
    public void close() {
        for (RtpEndpoint ep : endpoints) ep.close();
        running = false;
        selector.wakeup();
        try {
            io.join(5_000);
            selector.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            LOG.debug("closing selector", e);
        }
    }
}
