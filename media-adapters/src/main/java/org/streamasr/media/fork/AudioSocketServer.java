package org.streamasr.media.fork;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.HashSet;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.streamasr.runtime.NamedThreads;
import org.streamasr.media.CallSink;
import org.streamasr.runtime.DropCounter;
import org.streamasr.media.MediaMetrics;

/**
 * The Asterisk AudioSocket TCP server: one NIO selector thread ({@code audiosocket-selector}) accepts and reads every
 * connection; never a thread per call. Each connection's bytes go to its {@link AudioSocketSession}. A connection
 * closes on hangup, on a broken stream, when Asterisk closes it, after {@link AudioSocketConfig#idleTimeout()} of
 * silence, when its call ends, or when the server closes. Asterisk dialplan:
 * <pre>
 * exten => 100,1,Answer()
 *  same => n,AudioSocket(${UUID()},asr.example.com:9092)
 * </pre>
 * (or {@code Dial(AudioSocket/asr.example.com:9092/${UUID()})}). There is no result channel: transcripts go to the
 * server's captions.
 */
public final class AudioSocketServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AudioSocketServer.class);
    private static final long TICK_MILLIS = 500;

    private volatile java.util.function.Predicate<java.net.InetAddress> allowedSources = a -> true;
    private final CallSink sink;
    private final AudioSocketConfig config;
    private final MediaMetrics metrics;
    private final DropCounter drops;
    private final Selector selector;
    private final ServerSocketChannel server;
    private final Executor mediaPool;
    private final Thread thread;
    private final Queue<Connection> closeRequests = new ConcurrentLinkedQueue<>();
    private final Set<Connection> connections = new HashSet<>();
    private volatile boolean running = true;
    private volatile int open;

    private final class Connection {
        final SocketChannel channel;
        final AudioSocketSession session;
        final SelectionKey key;
        volatile String closeReason;
        long lastActivity = System.nanoTime();
        boolean closed;

        Connection(SocketChannel channel, String remote) throws IOException {
            this.channel = channel;
            this.session = new AudioSocketSession(sink, config, metrics, mediaPool, reason -> {
                closeReason = reason;
                closeRequests.add(this);
                selector.wakeup();
            }, remote);
            this.key = channel.register(selector, SelectionKey.OP_READ, this);
        }
    }

    private AudioSocketServer(CallSink sink, AudioSocketConfig config, MediaMetrics metrics, Executor mediaPool)
            throws IOException {
        this.sink = sink;
        this.mediaPool = mediaPool;
        this.config = config;
        this.metrics = metrics;
        this.drops = metrics.dropCounter(AudioSocketSession.COMPONENT);
        this.selector = Selector.open();
        try {
            this.server = ServerSocketChannel.open();
            server.bind(new InetSocketAddress(config.host(), config.port()));
            server.configureBlocking(false);
            server.register(selector, SelectionKey.OP_ACCEPT);
        } catch (IOException e) {
            selector.close();
            throw e;
        }
        this.thread = NamedThreads.thread(this::run, "audiosocket-selector", true);
    }

    /** Binds and starts the selector thread. */
    public static AudioSocketServer start(CallSink sink, MediaMetrics metrics, Executor mediaPool,
                                          AudioSocketConfig config) throws IOException {
        return start(sink, metrics, mediaPool, config, a -> true);
    }

    /** As above, accepting connections only from addresses {@code allowedSources} accepts (others: counted, closed). */
    public static AudioSocketServer start(CallSink sink, MediaMetrics metrics, Executor mediaPool,
                                          AudioSocketConfig config, java.util.function.Predicate<java.net.InetAddress> allowedSources)
            throws IOException {
        AudioSocketServer s = new AudioSocketServer(sink, config, metrics, mediaPool);
        s.allowedSources = allowedSources;
        s.thread.start();
        log.info("AudioSocket server listening on {}:{}", config.host(), s.port());
        return s;
    }

    /** The port listened on (the chosen one when configured with 0). */
    public int port() {
        return server.socket().getLocalPort();
    }

    private void run() {
        try {
            while (running) {
                selector.select(TICK_MILLIS);
                for (SelectionKey key : selector.selectedKeys()) {
                    if (!key.isValid()) continue;
                    if (key.isAcceptable()) accept();
                    else if (key.isReadable()) read((Connection) key.attachment());
                }
                selector.selectedKeys().clear();
                Connection c;
                while ((c = closeRequests.poll()) != null) close(c, c.closeReason);
                closeIdle();
            }
        } catch (IOException | RuntimeException e) {
            drops.drop("selector-failed", String.valueOf(e));
            log.error("AudioSocket selector failed; closing every connection", e);
        } finally {
            for (Connection c : Set.copyOf(connections)) close(c, "server closing");
            try {
                server.close();
                selector.close();
            } catch (IOException e) {
                log.debug("closing the AudioSocket listener: {}", e.toString());
            }
        }
    }

    private void accept() throws IOException {
        SocketChannel ch = server.accept();
        if (ch == null) return;
        java.net.SocketAddress remote = ch.getRemoteAddress();
        if (remote instanceof java.net.InetSocketAddress isa && !allowedSources.test(isa.getAddress())) {
            // AudioSocket has no way to say why: the connection is closed before its first message
            drops.drop("unauthorized", "refused " + remote + ": not an allowed source (asr.media.audiosocket.allowed-sources)");
            ch.close();
            return;
        }
        if (connections.size() >= config.maxConnections()) {
            drops.drop("too-many-connections", "refused " + ch.getRemoteAddress() + " beyond " + config.maxConnections());
            ch.close();
            return;
        }
        ch.configureBlocking(false);
        ch.setOption(java.net.StandardSocketOptions.TCP_NODELAY, true);
        connections.add(new Connection(ch, String.valueOf(ch.getRemoteAddress())));
        open = connections.size();
        metrics.counter(AudioSocketSession.COMPONENT + ".connections.opened").increment();
    }

    private void read(Connection c) {
        int n;
        try {
            n = c.channel.read(c.session.buffer());
        } catch (IOException e) {
            close(c, "read failed: " + e.getMessage());
            return;
        }
        if (n < 0) {
            close(c, "closed by Asterisk");
            return;
        }
        c.lastActivity = System.nanoTime();
        boolean keep;
        try {
            keep = c.session.process();
        } catch (RuntimeException e) {
            drops.drop("internal-error", String.valueOf(e));
            log.error("AudioSocket session threw; closing its connection", e);
            keep = false;
        }
        if (!keep) close(c, "protocol end");
    }

    private void closeIdle() {
        if (config.idleTimeout().isZero()) return;
        long limit = System.nanoTime() - config.idleTimeout().toNanos();
        for (Connection c : Set.copyOf(connections)) {
            if (c.lastActivity < limit) {
                drops.drop("idle-timeout", "no data for " + config.idleTimeout());
                close(c, "idle");
            }
        }
    }

    private void close(Connection c, String reason) {
        if (c.closed) return;
        c.closed = true;
        connections.remove(c);
        open = connections.size();
        c.key.cancel();
        try {
            c.channel.close();
        } catch (IOException e) {
            log.debug("closing an AudioSocket connection: {}", e.toString());
        }
        try {
            c.session.end();
        } catch (RuntimeException e) {
            drops.drop("internal-error", String.valueOf(e));
            log.error("AudioSocket session threw while ending", e);
        }
        metrics.counter(AudioSocketSession.COMPONENT + ".connections.closed").increment();
        log.debug("AudioSocket connection closed: {}", reason);
    }

    /** Connections open now. */
    public int connectionCount() {
        return open;
    }

    /** Closes every connection (their calls end) and the listener, and stops the selector thread. */
    @Override
    public void close() {
        running = false;
        selector.wakeup();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
