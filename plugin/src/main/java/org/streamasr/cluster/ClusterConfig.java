package org.streamasr.cluster;

import com.typesafe.config.Config;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code asr.cluster}: the NATS servers to join (none: the node runs alone, as without cluster mode), this node's id,
 * and how jobs and shared state are kept in JetStream.
 *
 * @param natsUrls  NATS server URLs (a NATS cluster: several, comma-separated in the setting); empty: no cluster
 * @param nodeId    this node's name in job records, the call list and /health
 * @param ackWait   a running job is redelivered to another node after this long without news from its node (the
 *                  running node extends it every third of it)
 * @param replicas  JetStream replicas of every stream, bucket and object store (3 on a three-server NATS cluster)
 * @param connectTimeout how long the start-up waits for NATS
 * @param maxStreams live streams at which /health reports this node full (503); 0: no limit
 */
public record ClusterConfig(List<String> natsUrls, String nodeId, Duration ackWait, int replicas,
                            Duration connectTimeout, int maxStreams) {

    public boolean enabled() {
        return !natsUrls.isEmpty();
    }

    /**
     * @param port the node's HTTP port, for the default node id (host name + port)
     * @throws IllegalArgumentException naming the key of a bad value
     */
    public static ClusterConfig from(Config raw, int port) {
        Config c = raw.getConfig("asr.cluster");
        List<String> urls = new ArrayList<>();
        if (!c.getIsNull("nats.url")) {
            for (String u : c.getString("nats.url").split(",")) {
                String s = u.strip();
                if (s.isEmpty()) continue;
                if (!s.matches("(?i)(nats|tls|ws|wss)://[^\\s/]+(:\\d+)?/?")) {
                    throw new IllegalArgumentException("asr.cluster.nats.url: not a NATS URL (nats://HOST:4222): " + s);
                }
                urls.add(s);
            }
        }
        String node = c.getIsNull("node-id") ? null : c.getString("node-id").strip();
        if (node == null || node.isEmpty()) node = hostName() + ":" + port;
        if (!node.matches("[A-Za-z0-9._:-]{1,100}")) {
            throw new IllegalArgumentException("asr.cluster.node-id: letters, digits and . _ : - only (at most 100), got '"
                    + node + "'");
        }
        Duration ackWait = c.getDuration("ack-wait");
        if (ackWait.toMillis() < 1000) throw new IllegalArgumentException("asr.cluster.ack-wait: at least 1s, got " + ackWait);
        int replicas = c.getInt("replicas");
        if (replicas < 1 || replicas > 5) {
            throw new IllegalArgumentException("asr.cluster.replicas: between 1 and 5, got " + replicas);
        }
        Duration connect = c.getDuration("connect-timeout");
        int maxStreams = c.getInt("max-streams");
        if (maxStreams < 0) throw new IllegalArgumentException("asr.cluster.max-streams: 0 (no limit) or more, got " + maxStreams);
        return new ClusterConfig(List.copyOf(urls), node, ackWait, replicas, connect, maxStreams);
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }
}
