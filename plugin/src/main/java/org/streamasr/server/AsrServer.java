package org.streamasr.server;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import jakarta.websocket.DeploymentException;
import jakarta.websocket.server.ServerEndpointConfig;
import java.io.IOException;
import java.net.URI;
import java.nio.channels.UnresolvedAddressException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.glassfish.grizzly.http.server.CLStaticHttpHandler;
import org.glassfish.grizzly.http.server.HttpHandler;
import org.glassfish.grizzly.http.server.HttpHandlerRegistration;
import org.glassfish.grizzly.http.server.HttpServer;
import org.glassfish.grizzly.http.server.NetworkListener;
import org.glassfish.grizzly.nio.transport.TCPNIOTransportBuilder;
import org.glassfish.grizzly.strategies.WorkerThreadIOStrategy;
import org.glassfish.grizzly.threadpool.ThreadPoolConfig;
import org.glassfish.tyrus.container.grizzly.server.WebSocketAddOn;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;
import org.streamasr.api.ApiConfig;
import org.streamasr.api.HostedApi;
import org.streamasr.apis.ApisConfig;
import org.streamasr.apis.LiveApis;
import org.streamasr.apis.ServedModels;
import org.streamasr.captions.CaptionHub;
import org.streamasr.captions.CaptionsEndpoint;
import org.streamasr.cluster.CallDirectory;
import org.streamasr.cluster.CaptionRelay;
import org.streamasr.cluster.CaptionRelayPublisher;
import org.streamasr.cluster.ClusterCallDirectory;
import org.streamasr.cluster.ClusterPlacement;
import org.streamasr.cluster.ClusterConfig;
import org.streamasr.cluster.JetStreamStores;
import org.streamasr.cluster.JetStreamTranscripts;
import org.streamasr.cluster.NatsCluster;
import org.streamasr.engine.BatchListener;
import org.streamasr.engine.SpeechEngine;
import org.streamasr.engine.SpeechEngines;
import org.streamasr.media.MediaMetrics;
import org.streamasr.runtime.ExecutorShutdown;
import org.streamasr.runtime.NamedThreads;
import org.streamasr.stream.CallEvents;
import org.streamasr.stream.CallRegistry;
import org.streamasr.runtime.DistinctErrorLog;
import org.streamasr.stream.EngineCatalog;
import org.streamasr.stream.LoggingCallEvents;
import org.streamasr.api.store.DeliveryRecord;
import org.streamasr.api.webhook.WebhookDispatcher;
import org.streamasr.transcripts.CallTranscripts;
import org.streamasr.riva.RivaConfig;
import org.streamasr.riva.RivaServer;
import org.streamasr.transcripts.StoredTranscripts;
import org.streamasr.transcripts.TranscriptStore;
import org.streamasr.transcripts.TranscriptsConfig;

/**
 * The plugin server: one Grizzly listener carrying HTTP and WebSocket (Tyrus' add-on), the media adapters, the
 * calls API, live captions, the captions page, /health and /metrics. Built from a {@link ServerConfig}; owns every
 * thread and engine it starts and releases them in {@link #close()}, which shuts down gracefully: new calls are
 * refused, live calls end with their last finals delivered, then the listener stops.
 *
 * <p>Threads: "asr-network-N" parse HTTP/WebSocket traffic and hand audio to the engine (never blocking);
 * "asr-events-N" deliver transcripts, one call at a time; "asr-scheduler" runs timers (idle calls, send timeouts);
 * the engine runs inference on its own workers.
 */
public final class AsrServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AsrServer.class);

    private final ServerConfig config;
    private final PrometheusRegistry prometheus = new PrometheusRegistry();
    private final MediaMetrics media = new MediaMetrics();
    private final DistinctErrorLog errors = new DistinctErrorLog();
    private final ScheduledThreadPoolExecutor scheduler;
    private final ExecutorService eventPool;
    private final EngineCatalog engines;
    private final ApisConfig apis;
    private final ServedModels servedModels;
    private final BatchListener batchMetrics;
    private final ServerMetrics serverMetrics;
    private final CallEvents events;
    private final CallRegistry calls;
    private final CaptionHub captions;
    private final HttpServer http;
    private final EmbeddedWebSocketContainer webSockets;
    private MediaAdapters adapters;
    private HostedApi api;
    private ClusterConfig clusterConfig;
    private NatsCluster cluster;
    private ClusterCallDirectory callDirectory;
    private ClusterPlacement placement;
    private CaptionRelayPublisher captionPublisher;
    private CaptionRelay captionRelay;
    private final CallTranscripts transcripts;
    private RivaServer riva;
    private LiveApis liveApis;
    private final AtomicBoolean draining = new AtomicBoolean();
    private volatile boolean secure;
    private final AtomicBoolean closed = new AtomicBoolean();

    private AsrServer(ServerConfig config, SpeechEngine engine, boolean ownsEngine, List<CallEvents> extraEvents) {
        this.config = config;
        // asr.apis first: a bad value must fail before any thread starts
        this.apis = readApisConfig(config);
        java.util.Map<String, org.streamasr.engine.EngineConfig> models = new java.util.LinkedHashMap<>(config.models());
        try {
            models.putAll(ServedModels.catalogEntries(apis, config.engine(), config.models().keySet()));
        } catch (IllegalArgumentException e) {
            throw new InvalidConfigException(e.getMessage(), e);
        }
        this.scheduler = new ScheduledThreadPoolExecutor(1, NamedThreads.factory("asr-scheduler", true));
        this.scheduler.setRemoveOnCancelPolicy(true);
        this.eventPool = Executors.newFixedThreadPool(config.eventThreads(), NamedThreads.factory("asr-events", true));
        this.engines = new EngineCatalog(engine, config.engine(), models, ownsEngine);
        this.servedModels = new ServedModels(engines, apis);
        ServerMetrics metrics = new ServerMetrics(prometheus);
        this.serverMetrics = metrics;
        this.batchMetrics = metrics.batchListener(engine.name());
        engine.addBatchListener(batchMetrics);
        engines.onEngineOpened(e -> e.addBatchListener(metrics.batchListener(e.name())));
        metrics.watch(engine);
        engines.onEngineOpened(metrics::watch);
        this.transcripts = new CallTranscripts(transcriptsConfig(config), System::currentTimeMillis);
        List<CallEvents> listeners = new java.util.ArrayList<>(List.of(new LoggingCallEvents(), metrics, transcripts));
        listeners.addAll(extraEvents);
        this.events = CallEvents.composite(listeners);
        this.calls = new CallRegistry(config.calls(), engines, media, events, scheduler, eventPool, errors);
        shareEngines(calls, new ConfigReader(config.raw()), engine);
        this.captions = new CaptionHub(calls, config.captions(), events, scheduler, System::nanoTime);
        metrics.bind(prometheus, calls, media, errors);
        // Tyrus refuses frames beyond its incoming buffer before any endpoint sees them: make room for the largest
        // message an adapter accepts.
        this.webSockets = new EmbeddedWebSocketContainer(Math.max(1 << 20, config.media().maxMessageBytes()));
        // Tyrus schedules a session's first idle check when it is created, with the container's default timeout: at
        // 0 that check runs at once, and when it runs after an adapter set its own timeout (a loaded machine) it
        // closes the fresh connection. With the adapters' timeout as the default they never set one (see
        // ProtocolEndpoint); caption subscribers turn it off for themselves (CaptionsEndpoint).
        webSockets.setDefaultMaxSessionIdleTimeout(config.media().webSocketIdleTimeout().toMillis());
        this.http = new HttpServer();
    }

    private static ApisConfig readApisConfig(ServerConfig config) {
        try {
            return ApisConfig.from(config.raw(), config.engine().engine());
        } catch (IllegalArgumentException e) {
            throw new InvalidConfigException(e.getMessage(), e);
        }
    }

    /** Starts a server with the engine named in the config (asr.engine). */
    public static AsrServer start(ServerConfig config) throws IOException {
        SpeechEngine engine = SpeechEngines.open(config.engine());
        try {
            return start(config, engine, true);
        } catch (IOException | RuntimeException e) {
            engine.close();
            throw e;
        }
    }

    /**
     * Starts a server on {@code engine}.
     *
     * @param ownsEngine whether {@link #close()} closes the engine
     */
    public static AsrServer start(ServerConfig config, SpeechEngine engine, boolean ownsEngine) throws IOException {
        return start(config, engine, ownsEngine, List.of());
    }

    /** As {@link #start(ServerConfig, SpeechEngine, boolean)}, with more listeners of the lifecycle events. */
    public static AsrServer start(ServerConfig config, SpeechEngine engine, boolean ownsEngine,
                                  List<CallEvents> extraEvents) throws IOException {
        routeJavaLogging();
        AsrServer server = new AsrServer(config, engine, ownsEngine, extraEvents);
        TyrusOverflowLog.register(server.media.dropCounter("websocket"));
        try {
            server.listen();
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
        return server;
    }

    /** Grizzly and Tyrus log through java.util.logging: send it to SLF4J, so every line has one format. */
    private static synchronized void routeJavaLogging() {
        if (SLF4JBridgeHandler.isInstalled()) return;
        SLF4JBridgeHandler.removeHandlersForRootLogger();
        SLF4JBridgeHandler.install();
        java.util.logging.Logger.getLogger("org.glassfish").setLevel(java.util.logging.Level.WARNING);
    }

    private void listen() throws IOException {
        NetworkListener listener = new NetworkListener("asr", config.host(), config.port());
        listener.setTransport(TCPNIOTransportBuilder.newInstance()
                .setIOStrategy(WorkerThreadIOStrategy.getInstance())
                .setWorkerThreadPoolConfig(ThreadPoolConfig.defaultConfig().setPoolName("asr-network")
                        .setCorePoolSize(config.networkThreads()).setMaxPoolSize(config.networkThreads()))
                .build());
        javax.net.ssl.SSLContext tls = PemTls.fromConfig(new ConfigReader(config.raw()));
        if (tls != null) {
            listener.setSecure(true);
            listener.setSSLEngineConfig(new org.glassfish.grizzly.ssl.SSLEngineConfigurator(tls, false, false, false));
        }
        secure = tls != null;
        listener.registerAddOn(new WebSocketAddOn(webSockets, ""));
        http.addListener(listener);

        deploy(CaptionsEndpoint.config(captions));
        checkLanguages();
        adapters = new MediaAdapters(config.media(), calls, media, adapterLocks(new ConfigReader(config.raw()), config));
        adapters.webSocketEndpoints().forEach(this::deploy);
        ApiConfig apiConfig = readApiConfig();
        liveApis = new LiveApis(calls, adapters.mediaPool(), servedModels, new org.streamasr.api.http.ApiKeys(apiConfig.keys(), apiConfig.open()),
                media, AdapterConfigReader.limits(new ConfigReader(config.raw()), "websocket"));
        liveApis.endpoints().forEach(this::deploy);

        var routes = http.getServerConfiguration();
        routes.setName("streamasr");
        routes.setHttpServerName("streamasr");
        routes.setHttpServerVersion("");
        OperatorKeys keys = new OperatorKeys(config.apiKeys());
        joinCluster();
        calls.limitNodeStreams(clusterConfig.maxStreams());
        routes.addHttpHandler(guarded("/health", new HealthHandler(calls, draining::get, clusterConfig.nodeId(),
                () -> cluster == null ? "off" : cluster.health(), serverMetrics::streamsActive)),
                registration("/health", ""));
        routes.addHttpHandler(guarded("/metrics", new MetricsHandler(prometheus)), registration("/metrics", ""));
        if (cluster != null) callDirectory = new ClusterCallDirectory(cluster, config.calls().finishTimeout());
        if (cluster != null) {   // captions anywhere: this node's calls' events to the others, theirs to here
            captionPublisher = new CaptionRelayPublisher(cluster, captions);
            captionRelay = new CaptionRelay(cluster, callDirectory, events, scheduler, config.captions().sendTimeout(),
                    config.captions().maxSubscribersPerCall());
            captions.relay(captionPublisher, captionRelay);
        }
        CallsHandler callsHandler = new CallsHandler(calls, keys, clusterConfig.nodeId(),
                callDirectory == null ? CallDirectory.NONE : callDirectory, config.publicUrl(),
                config.calls().finishTimeout(), new RtpCalls(adapters.rtp(), calls, adapters::tuneRtp), transcripts,
                clusterConfig.mediaAddress());
        if (cluster != null) {
            placement = new ClusterPlacement(cluster, CallsHandler.PLACEMENT_TIMEOUT);
            callsHandler.placeWith(new CallPlacement(placement, clusterConfig.nodeId(), CallsHandler.PLACEMENT_TIMEOUT));
        }
        routes.addHttpHandler(guarded(CallsHandler.PATH, callsHandler), registration(CallsHandler.PATH, "/*"));
        routes.addHttpHandler(guarded("/ (captions page)",
                new CLStaticHttpHandler(AsrServer.class.getClassLoader(), "/web/")), HttpHandlerRegistration.ROOT);
        startHostedApi(apiConfig);
        transcripts.start(scheduler);
        try {
            http.start();
        } catch (IOException | UnresolvedAddressException e) {
            throw new InvalidConfigException("asr.server.host/port", "cannot listen on " + config.host() + ":"
                    + config.port() + ": " + e.getMessage());
        }
        if (callDirectory != null) {
            callDirectory.start(() -> callsHandler.describeForDirectory(baseUri().toString()),
                    callsHandler::endForDirectory);
            calls.onCallOpened(call -> callDirectory.changed());
        }
        if (placement != null) {
            placement.start(() -> new ClusterPlacement.NodeLoad(clusterConfig.nodeId(), calls.nodeStreamLimit(),
                            calls.load(), !draining.get(), clusterConfig.mediaAddress()),
                    body -> callsHandler.createForPlacement(body, baseUri().toString()));
        }
        startRiva();
        if (config.apiKeys().isEmpty() && !isLoopback(config.host())) {
            LOG.warn("no API keys (asr.server.api-keys, ASR_API_KEYS): anyone who can reach port {} can create calls and "
                    + "list them with their caption tokens; set keys unless only a private network reaches it", port());
        }
        LOG.info("streamasr listening on {}:{} (engine {}{}); captions page at {}/", config.host(), port(),
                engines.defaultEngine().name(), secure ? ", TLS" : "", baseUri());
    }

    /**
     * Waits, at most {@code limit}, until the caption subscribers and the adapters' outbound queues have sent what
     * the ended calls left them: closing the transports earlier would cut their last finals off.
     */
    private void awaitDelivery(Duration limit) {
        try {
            CompletableFuture.allOf(captions.drained(), media.outbound().drained())
                    .get(limit.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            LOG.warn("shutdown: captions or adapter results still unsent after {} ms ({} subscribers, {} adapter "
                    + "connections open); closing them", limit.toMillis(), captions.subscriberCount(),
                    media.outbound().openCount());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException e) {
            LOG.warn("shutdown: waiting for captions to be sent failed", e);
        }
    }

    /** The languages media adapters give calls must be ones the default engine serves. */
    private void checkLanguages() {
        for (var e : config.media().languages().entrySet()) {
            if (calls.defaultEngineLanguage(e.getValue()) == null) {
                throw new InvalidConfigException(e.getKey(), "engine " + engines.defaultEngine().name()
                        + " does not serve '" + e.getValue() + "'; it serves "
                        + String.join(", ", new java.util.TreeSet<>(engines.defaultEngine().languages())));
            }
        }
    }

    /** With asr.server.api-keys set, how each adapter is locked (asr.media.twilio.auth-token, audiosocket.allowed-sources). */
    private static MediaAdapters.Locks adapterLocks(ConfigReader r, ServerConfig config) {
        if (config.apiKeys().isEmpty()) return MediaAdapters.Locks.OPEN;
        String token = r.optionalString("asr.media.twilio.auth-token");
        List<String> from = r.stringList("asr.media.audiosocket.allowed-sources");
        try {
            new org.streamasr.media.fork.AllowedSources(from);
        } catch (IllegalArgumentException e) {
            throw new InvalidConfigException("asr.media.audiosocket.allowed-sources", e.getMessage());
        }
        return new MediaAdapters.Locks(config.apiKeys(), token == null || token.isBlank() ? List.of() : List.of(token),
                config.publicUrl(), from);
    }

    /**
     * asr.calls.engine-streams and max-streams-per-call: how calls share each engine's streams. By default the
     * hosted API's workers keep a stream each of the default engine (they use it too).
     */
    private static void shareEngines(CallRegistry calls, ConfigReader r, SpeechEngine engine) {
        Integer capacity = r.optionalString("asr.calls.engine-streams") == null ? null
                : r.intIn("asr.calls.engine-streams", 1, 1_000_000);
        Integer perCall = r.optionalString("asr.calls.max-streams-per-call") == null ? null
                : r.intIn("asr.calls.max-streams-per-call", 1, 1_000_000);
        int limit = capacity != null ? capacity : engine.maxStreams();
        if (perCall != null && limit != Integer.MAX_VALUE && limit > 1 && perCall >= limit) {
            throw new InvalidConfigException("asr.calls.max-streams-per-call", "must be below the streams the engine "
                    + "gives calls (" + limit + "), or one call can take them all");
        }
        boolean api = !r.isSet("asr.api.enabled") || r.bool("asr.api.enabled");
        calls.shareEngines(capacity, perCall, api && r.isSet("asr.api.workers") ? r.intIn("asr.api.workers", 1, 10_000) : 0);
    }

    /** Cluster mode (asr.cluster): connects to NATS when a URL is set; without one the node runs alone. */
    private void joinCluster() throws IOException {
        try {
            clusterConfig = ClusterConfig.from(config.raw(), config.port());
        } catch (IllegalArgumentException e) {
            throw new InvalidConfigException(e.getMessage(), e);
        }
        if (clusterConfig.enabled()) cluster = NatsCluster.connect(clusterConfig);
    }

    /** This node's id (asr.cluster.node-id, by default host name + port). */
    public String nodeId() {
        return clusterConfig == null ? null : clusterConfig.nodeId();
    }

    /** The fal-style hosted API (asr.api) on the same port, served by the default engine. */
    private ApiConfig readApiConfig() {
        try {
            // ASR_API_KEYS and ASR_WEBHOOK_SECRET arrive in config.raw() (ConfigLoader.ENVIRONMENT); ASR_HOME is
            // where bin/asr is installed, not a setting.
            return ApiConfig.from(config.raw(), System.getenv("ASR_HOME"));
        } catch (IllegalArgumentException e) {
            throw new InvalidConfigException(e.getMessage(), e);
        }
    }

    private void startHostedApi(ApiConfig apiConfig) throws IOException {
        if (!apiConfig.enabled()) {
            if (transcriptsConfig(config).defaultWebhook() != null) {
                throw new InvalidConfigException("asr.calls.transcript-webhook", "sending transcripts needs the hosted "
                        + "API's webhook sender: set asr.api.enabled = true, or no transcript-webhook");
            }
            LOG.warn("asr.api.enabled = false: call transcripts are kept in memory only and lost at a restart");
            return;
        }
        api = new HostedApi(apiConfig, engines.defaultEngine(), prometheus, servedModels,
                cluster == null ? null : new JetStreamStores(cluster, apiConfig));
        api.install(http);
        WebhookDispatcher hooks = api.webhooks();
        // In a cluster the transcripts live in JetStream beside the hosted API's results: any node serves any call's.
        TranscriptStore durable = cluster != null
                ? new JetStreamTranscripts(cluster, transcriptsConfig(config).retention())
                : new StoredTranscripts(api.store());
        transcripts.attach(durable,
                (id, url, body) -> hooks.enqueue(new DeliveryRecord(id, url, body, 0, hooks.now(), null)), cluster != null);
    }

    /** NVIDIA Riva's gRPC API (asr.riva) on its own port. */
    private void startRiva() throws IOException {
        RivaConfig rc = rivaConfig(config);
        if (!rc.enabled()) return;
        try {
            riva = RivaServer.start(rc, calls, servedModels, engines.defaultEngine().name(), api, adapters.mediaPool(),
                    media);
        } catch (IOException e) {
            throw new InvalidConfigException("asr.riva.port", "cannot listen on " + rc.host() + ":" + rc.port() + ": "
                    + e.getMessage());
        }
    }

    private static RivaConfig rivaConfig(ServerConfig config) {
        ConfigReader r = new ConfigReader(config.raw());
        int threads = r.intIn("asr.riva.threads", 0, 1024);
        return RivaConfig.of(r.bool("asr.riva.enabled"), r.string("asr.riva.host"), r.intIn("asr.riva.port", 0, 65535),
                r.stringList("asr.riva.keys"), r.bool("asr.riva.open"),
                (int) r.bytesIn("asr.riva.max-message", 64 * 1024, Integer.MAX_VALUE),
                threads == 0 ? 2 * Runtime.getRuntime().availableProcessors() : threads);
    }

    /** The Riva gRPC port, or -1 when asr.riva.enabled is false. */
    public int rivaPort() {
        return riva == null ? -1 : riva.port();
    }

    /** asr.calls.transcript-retention and asr.calls.transcript-webhook. */
    private static TranscriptsConfig transcriptsConfig(ServerConfig config) {
        ConfigReader r = new ConfigReader(config.raw());
        String hook = r.optionalString("asr.calls.transcript-webhook");
        if (hook != null && hook.isBlank()) hook = null;
        if (hook != null) {
            String problem = WebhookDispatcher.precheck(hook);
            if (problem != null) throw new InvalidConfigException("asr.calls.transcript-webhook", problem + ": " + hook);
        }
        return new TranscriptsConfig(r.durationIn("asr.calls.transcript-retention", Duration.ofMinutes(1),
                Duration.ofDays(3650)), hook);
    }

    /** {@code handler} behind the JSON safety net: an exception it throws is a 500 JSON error, logged once. */
    private HttpHandler guarded(String path, HttpHandler handler) {
        return new JsonErrorGuard("HTTP " + path, handler, errors);
    }

    private static HttpHandlerRegistration registration(String context, String pattern) {
        return HttpHandlerRegistration.builder().contextPath(context).urlPattern(pattern.isEmpty() ? "/" : pattern)
                .build();
    }

    private void deploy(ServerEndpointConfig endpoint) {
        try {
            webSockets.register(endpoint);
        } catch (DeploymentException e) {
            throw new IllegalStateException("cannot deploy WebSocket endpoint " + endpoint.getPath() + ": "
                    + e.getMessage(), e);
        }
    }

    private static boolean isLoopback(String host) {
        try {
            return java.net.InetAddress.getByName(host).isLoopbackAddress();
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }

    private String displayHost() {
        return "0.0.0.0".equals(config.host()) ? "localhost" : config.host();
    }

    /** The port the listener is bound to (the configured one, or the one picked for port 0). */
    public int port() {
        return http.getListener("asr").getPort();
    }

    /** The SIP gateway's port (the same for every transport), or -1 when asr.sip.enabled is false. */
    public int sipPort() {
        return adapters == null || adapters.sip() == null ? -1 : adapters.sip().port();
    }

    /** The transports the SIP gateway listens on ("udp", "tcp"); empty when asr.sip.enabled is false. */
    public java.util.List<String> sipTransports() {
        return adapters == null || adapters.sip() == null ? java.util.List.of() : adapters.sip().transports();
    }

    public URI baseUri() {
        return URI.create((secure ? "https://" : "http://") + displayHost() + ":" + port());
    }

    /** The model names the outside APIs (Deepgram, OpenAI, Riva) answer to. */
    public ServedModels servedModels() {
        return servedModels;
    }

    public CallRegistry calls() {
        return calls;
    }

    public CaptionHub captions() {
        return captions;
    }

    public MediaMetrics mediaMetrics() {
        return media;
    }

    public DistinctErrorLog errors() {
        return errors;
    }

    public PrometheusRegistry prometheus() {
        return prometheus;
    }

    public ServerConfig config() {
        return config;
    }

    /**
     * Graceful shutdown: /health turns 503, new calls are refused, live calls end and deliver their last finals
     * (up to asr.server.shutdown-grace); caption subscribers and the adapters' outbound queues are given the time to
     * send what they hold (a call's last finals and {@code ended}; up to asr.captions.send-timeout); subscribers still
     * connected are closed with 1001, then the listener, the pools and the engines are released. Idempotent.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) return;
        draining.set(true);
        if (placement != null) placement.close();   // no new calls placed here while the live ones end
        // the hosted API drains (its own grace period) while the calls end, not after them
        Thread apiStop = null;
        CompletableFuture<Void> callsEnded = new CompletableFuture<>();
        if (api != null) {
            // call transcripts share the API's store: it closes after the calls' last finals were written
            apiStop = NamedThreads.thread(() -> api.close(() -> {
                callsEnded.join();
                transcripts.close();
            }), "asr-api-shutdown", false);
            apiStop.start();
        }
        Duration grace = config.shutdownGrace();
        try {
            calls.shutdown("shutdown").get(grace.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            LOG.warn("shutdown: calls did not all end within {} ms; closing anyway", grace.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException e) {
            LOG.warn("shutdown: ending calls failed", e);
        }
        callsEnded.complete(null);
        if (apiStop == null) transcripts.close();
        if (apiStop != null) {
            try {
                apiStop.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (callDirectory != null) callDirectory.close();   // its calls ended: it leaves the directory
        if (captionRelay != null) captionRelay.close();
        if (captionPublisher != null) captionPublisher.close();
        if (cluster != null) cluster.close();
        awaitDelivery(config.captions().sendTimeout());
        if (riva != null) riva.close(); // after the calls' last results went out on it
        captions.closeAll("server shutting down");
        calls.close();
        webSockets.stop();
        http.shutdownNow();
        if (adapters != null) adapters.close();
        if (liveApis != null) liveApis.close();
        scheduler.shutdownNow();
        ExecutorShutdown.stop(eventPool, Duration.ofSeconds(5), "asr-events pool", LOG);
        engines.defaultEngine().removeBatchListener(batchMetrics);
        engines.close();
        TyrusOverflowLog.unregister(media.dropCounter("websocket"));
        LOG.info("streamasr stopped");
    }
}
