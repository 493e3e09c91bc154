package org.streamasr.riva;

import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.nio.NioEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioServerSocketChannel;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.streamasr.api.HostedApi;
import org.streamasr.apis.ServedModels;
import org.streamasr.media.CallSink;
import org.streamasr.media.MediaMetrics;
import org.streamasr.runtime.ExecutorShutdown;
import org.streamasr.runtime.NamedThreads;

/**
 * NVIDIA Riva's ASR gRPC API ({@code nvidia.riva.asr.RivaSpeechRecognition}) on its own port (asr.riva.port, 50051
 * like Riva): plaintext HTTP/2, keys checked by {@link RivaAuth}. Threads: "asr-riva-io-N" (Netty's event loops,
 * transport only) and
 * "asr-riva-N" (asr.riva.threads), which run the handlers: parse, check, hand audio to the call. Owns both; closed by
 * {@link #close()}, which refuses new RPCs and ends the running ones.
 */
public final class RivaServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RivaServer.class);

    private final Server server;
    private final ExecutorService executor;
    private final EventLoopGroup eventLoops;

    private RivaServer(Server server, ExecutorService executor, EventLoopGroup eventLoops) {
        this.server = server;
        this.executor = executor;
        this.eventLoops = eventLoops;
    }

    /**
     * Starts listening.
     *
     * @param api       the hosted API, whose queue and workers run Recognize; null when it is disabled
     * @param mediaPool the media CPU pool the streams' ingest pipelines run on
     * @throws IOException when the port cannot be bound
     */
    public static RivaServer start(RivaConfig config, CallSink calls, ServedModels models, String defaultEngine,
                                   HostedApi api, Executor mediaPool, MediaMetrics media) throws IOException {
        ExecutorService executor = Executors.newFixedThreadPool(config.threads(), NamedThreads.factory("asr-riva", true));
        // our own event loops (not grpc's shared ones, released a while after the server): closed with the server
        EventLoopGroup eventLoops = new NioEventLoopGroup(2, NamedThreads.factory("asr-riva-io", true));
        RivaModels served = new RivaModels(models, defaultEngine);
        RivaRecognitionService service = new RivaRecognitionService(calls, served, new RivaFileRecognizer(api, served),
                mediaPool, media);
        Server server = NettyServerBuilder.forAddress(new InetSocketAddress(config.host(), config.port()))
                .executor(executor)
                .bossEventLoopGroup(eventLoops)
                .workerEventLoopGroup(eventLoops)
                .channelType(NioServerSocketChannel.class)
                .maxInboundMessageSize(config.maxMessageBytes())
                // parsed inside the listener chain, so that MalformedMessageGuard sees a bad message as one
                .addService(ServerInterceptors.intercept(ServerInterceptors.useInputStreamMessages(
                        ServerInterceptors.intercept(service, new RivaAuth(config))), new MalformedMessageGuard()))
                .build();
        try {
            server.start();
        } catch (IOException e) {
            executor.shutdownNow();
            eventLoops.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
            throw e;
        }
        LOG.info("Riva gRPC listening on {}:{}{}", config.host(), server.getPort(), config.keys().isEmpty()
                ? (config.open() ? " (open: no API keys)" : " (no API keys and not open: every call is refused)")
                : " (" + config.keys().size() + " API key(s))");
        return new RivaServer(server, executor, eventLoops);
    }

    /** The bound port (the configured one, or the one picked for 0). */
    public int port() {
        return server.getPort();
    }

    /** Refuses new RPCs, gives running ones a moment to finish (their calls are ended by the server), then stops. */
    @Override
    public void close() {
        server.shutdown();
        try {
            if (!server.awaitTermination(2, TimeUnit.SECONDS)) server.shutdownNow().awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            server.shutdownNow();
        }
        executor.shutdown();
        eventLoops.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        ExecutorShutdown.stop(executor, Duration.ofSeconds(5), "asr-riva pool", LOG);
    }
}
