package org.streamasr.cluster;

import io.nats.client.Connection;
import io.nats.client.ConnectionListener;
import io.nats.client.ErrorListener;
import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.KeyValue;
import io.nats.client.KeyValueOptions;
import io.nats.client.Nats;
import io.nats.client.ObjectStore;
import io.nats.client.Options;
import io.nats.client.api.KeyValueConfiguration;
import io.nats.client.api.ObjectStoreConfiguration;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import java.io.IOException;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.streamasr.api.store.StoreUnavailableException;

/**
 * This node's connection to the NATS servers, and the JetStream streams, buckets and object stores the cluster keeps
 * (created when missing, their settings brought in line when they exist). The client reconnects by itself for as
 * long as the node runs; while it is disconnected, calls that need JetStream fail fast with
 * {@link StoreUnavailableException} (the hosted API answers 503) instead of waiting for timeouts.
 */
public final class NatsCluster implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(NatsCluster.class);
    private static final Duration PING_INTERVAL = Duration.ofSeconds(5);

    private final ClusterConfig config;
    private final Connection connection;
    private final JetStream jetStream;
    private final JetStreamManagement management;
    private volatile String lastProblem;

    private NatsCluster(ClusterConfig config, Connection connection) throws IOException {
        this.config = config;
        this.connection = connection;
        this.jetStream = connection.jetStream();
        this.management = connection.jetStreamManagement();
    }

    /**
     * Any id (a call id, a node id) as one NATS subject token and key-value key: URL-safe Base64 of its UTF-8 bytes,
     * so dots, spaces and wildcards in ids never split or widen a subject. The one encoding every cluster class uses.
     */
    public static String token(String id) {
        return java.util.Base64.getUrlEncoder().withoutPadding()
                .encodeToString(id.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** Connects (waiting up to {@code asr.cluster.connect-timeout}); fails naming the setting when NATS cannot be reached. */
    public static NatsCluster connect(ClusterConfig config) throws IOException {
        NatsCluster[] self = new NatsCluster[1];
        Options options = new Options.Builder()
                .servers(config.natsUrls().toArray(new String[0]))
                .connectionName("streamasr " + config.nodeId())
                .maxReconnects(-1)
                .reconnectWait(Duration.ofMillis(500))
                // a server that stops answering without closing the connection (its machine lost power, a frozen
                // process) is left after two unanswered pings, 10 to 20 s, instead of the client's default ~4 minutes
                .pingInterval(PING_INTERVAL)
                .maxPingsOut(2)
                .connectionTimeout(config.connectTimeout())
                .connectionListener((conn, event) -> {
                    if (self[0] != null) self[0].onEvent(event);
                })
                .errorListener(new ErrorListener() {
                    @Override
                    public void errorOccurred(Connection conn, String error) {
                        LOG.warn("cluster: NATS error: {}", error);
                    }
                })
                .build();
        Connection c;
        try {
            c = Nats.connect(options);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while connecting to NATS", e);
        } catch (IOException e) {
            throw new IOException("asr.cluster.nats.url: cannot connect to " + String.join(",", config.natsUrls())
                    + ": " + e.getMessage(), e);
        }
        self[0] = new NatsCluster(config, c);
        try {
            String version = c.getServerInfo().getVersion();
            if (!c.getServerInfo().isJetStreamAvailable()) {
                throw new IOException("asr.cluster.nats.url: the NATS server " + version + " at "
                        + c.getConnectedUrl() + " has no JetStream (start it with -js)");
            }
            LOG.info("cluster: node {} connected to NATS {} at {}", config.nodeId(), version, c.getConnectedUrl());
        } catch (IOException | RuntimeException e) {
            self[0].close();
            throw e;
        }
        return self[0];
    }

    private void onEvent(ConnectionListener.Events event) {
        switch (event) {
            case DISCONNECTED -> {
                lastProblem = "disconnected from NATS, reconnecting";
                LOG.warn("cluster: node {} lost its NATS connection; reconnecting", config.nodeId());
            }
            case RECONNECTED, RESUBSCRIBED -> {
                lastProblem = null;
                LOG.info("cluster: node {} reconnected to NATS at {}", config.nodeId(), connection.getConnectedUrl());
            }
            default -> {
            }
        }
    }

    public ClusterConfig config() {
        return config;
    }

    public String nodeId() {
        return config.nodeId();
    }

    public Connection connection() {
        return connection;
    }

    public JetStream jetStream() {
        return jetStream;
    }

    public JetStreamManagement management() {
        return management;
    }

    public boolean connected() {
        return connection.getStatus() == Connection.Status.CONNECTED;
    }

    /** "ok", or why this node cannot use the cluster now (for /health). */
    public String health() {
        if (connected()) return "ok";
        String why = lastProblem;
        return why != null ? why : "NATS connection " + connection.getStatus().name().toLowerCase(java.util.Locale.ROOT);
    }

    /** Fails fast while NATS is unreachable. */
    public void requireConnected() {
        if (!connected()) throw unavailable(null);
    }

    /** The exception a client's request gets when JetStream cannot do what it needs. */
    public StoreUnavailableException unavailable(Exception cause) {
        String detail = cause == null ? health() : cause.getClass().getSimpleName() + ": " + cause.getMessage();
        return new StoreUnavailableException("the cluster store (NATS JetStream at " + String.join(",", config.natsUrls())
                + ") cannot be reached (" + detail + ")", cause);
    }

    /**
     * Whether {@code e} (or a cause) is NATS's "no responders" answer: no server took the request (while JetStream
     * elects a leader, or none runs), so nothing of it was stored, unlike a request that timed out.
     */
    static boolean noResponders(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof IOException && t.getMessage() != null
                    && t.getMessage().contains(io.nats.client.support.Status.NO_RESPONDERS_TEXT)) {
                return true;
            }
        }
        return false;
    }

    /** JetStream's refusal inside a failed asynchronous publish; null when the answer was lost on the way. */
    static JetStreamApiException apiException(java.util.concurrent.ExecutionException e) {
        for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
            if (t instanceof JetStreamApiException x) return x;
        }
        return null;
    }

    /** Creates the stream, or updates it to {@code sc}. */
    void ensureStream(StreamConfiguration sc) throws IOException {
        try {
            management.getStreamInfo(sc.getName());
            management.updateStream(sc);
        } catch (JetStreamApiException e) {
            if (e.getApiErrorCode() != 10059) throw new IOException("JetStream stream " + sc.getName() + ": " + e.getMessage(), e);
            try {
                management.addStream(sc);
            } catch (JetStreamApiException e2) {
                throw new IOException("JetStream stream " + sc.getName() + ": " + e2.getMessage(), e2);
            }
        }
    }

    /** A key-value bucket (one value per key), created when missing. */
    KeyValue bucket(String name, Duration ttl) throws IOException {
        KeyValueConfiguration.Builder b = KeyValueConfiguration.builder().name(name).maxHistoryPerKey(1)
                .storageType(StorageType.File).replicas(config.replicas());
        if (ttl != null) b.ttl(ttl);
        KeyValueConfiguration kvc = b.build();
        try {
            var kvm = connection.keyValueManagement();
            if (kvm.getBucketNames().contains(name)) kvm.update(kvc);
            else kvm.create(kvc);
            return connection.keyValue(name);
        } catch (JetStreamApiException e) {
            throw new IOException("JetStream key-value bucket " + name + ": " + e.getMessage(), e);
        }
    }

    /** Another handle on an existing bucket whose every request waits at most {@code requestTimeout}. */
    KeyValue keyValue(String name, Duration requestTimeout) throws IOException {
        return connection.keyValue(name, KeyValueOptions.builder().jsRequestTimeout(requestTimeout).build());
    }

    /**
     * An object store, created when missing; an existing one gets this node's replicas and time-to-live (the client
     * has no update for object stores, so its backing stream {@code OBJ_<name>} is updated).
     */
    ObjectStore objectStore(String name, Duration ttl) throws IOException {
        ObjectStoreConfiguration osc = ObjectStoreConfiguration.builder(name).storageType(StorageType.File)
                .replicas(config.replicas()).ttl(ttl).build();
        try {
            var osm = connection.objectStoreManagement();
            if (!osm.getBucketNames().contains(name)) {
                osm.create(osc);
            } else {
                StreamConfiguration now = management.getStreamInfo("OBJ_" + name).getConfiguration();
                if (now.getReplicas() != config.replicas() || !ttl.equals(now.getMaxAge())) {
                    management.updateStream(StreamConfiguration.builder(now).replicas(config.replicas()).maxAge(ttl).build());
                }
            }
            return connection.objectStore(name);
        } catch (JetStreamApiException e) {
            throw new IOException("JetStream object store " + name + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            connection.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
