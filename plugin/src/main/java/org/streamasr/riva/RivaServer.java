package org.streamasr.riva;

import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.streamasr.api.HostedApi;
import org.streamasr.apis.ServedModels;
import org.streamasr.media.CallSink;
import org.streamasr.media.MediaMetrics;

/**
 * NVIDIA Riva's ASR gRPC API ({@code nvidia.riva.asr.RivaSpeechRecognition}) on its own port (asr.riva.port, 50051
 * like Riva): plaintext HTTP/2, keys checked by {@link RivaAuth}. Threads: Netty's event loops (transport only) and
 * "asr-riva-N" (asr.riva.threads), which run the handlers: parse, check, hand audio to the call. Owns both; closed by
 * {@link #close()}, which refuses new RPCs and ends the running ones.
 */
public final class RivaServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RivaServer.class);

    private final Server server;
    private final ExecutorService executor;

    private RivaServer(Server server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
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
        ExecutorService executor = Executors.newFixedThreadPool(config.threads(), named("asr-riva"));
        RivaModels served = new RivaModels(models, defaultEngine);
        RivaRecognitionService service = new RivaRecognitionService(calls, served, new RivaFileRecognizer(api, served),
                mediaPool, media);
        Server server = NettyServerBuilder.forAddress(new InetSocketAddress(config.host(), config.port()))
                .executor(executor)
                .maxInboundMessageSize(config.maxMessageBytes())
                // parsed inside the listener chain, so that MalformedMessageGuard sees a bad message as one
                .addService(ServerInterceptors.intercept(ServerInterceptors.useInputStreamMessages(
                        ServerInterceptors.intercept(service, new RivaAuth(config))), new MalformedMessageGuard()))
                .build();
        try {
            server.start();
        } catch (IOException e) {
            executor.shutdownNow();
            throw e;
        }
        LOG.info("Riva gRPC listening on {}:{}{}", config.host(), server.getPort(), config.keys().isEmpty()
                ? (config.open() ? " (open: no API keys)" : " (no API keys and not open: every call is refused)")
                : " (" + config.keys().size() + " API key(s))");
        return new RivaServer(server, executor);
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
    }

    private static ThreadFactory named(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
