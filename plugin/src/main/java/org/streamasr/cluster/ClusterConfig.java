package org.streamasr.cluster;

import com.typesafe.config.Config;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
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
 * @param maxStreams live streams at which /health reports this node full (503) and new calls are refused; 0: no limit
 * @param mediaAddress the address RTP senders reach this node at ({@code rtpHost} of {@code POST /v1/calls})
 * @param submitTimeout how long a queue submission waits for JetStream to store it before the client gets 503
 */
public record ClusterConfig(List<String> natsUrls, String nodeId, Duration ackWait, int replicas,
                            Duration connectTimeout, int maxStreams, String mediaAddress, Duration submitTimeout) {

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
        // the NATS client wants its socket write timeout (60 s) longer than the connection timeout
        if (connect.toMillis() < 100 || connect.toMillis() > 59_000) {
            throw new IllegalArgumentException("asr.cluster.connect-timeout: between 100ms and 59s, got " + connect);
        }
        int maxStreams = c.getInt("max-streams");
        if (maxStreams < 0) throw new IllegalArgumentException("asr.cluster.max-streams: 0 (no limit) or more, got " + maxStreams);
        Duration submit = c.getDuration("submit-timeout");
        if (submit.toMillis() < 100 || submit.toMillis() > 60_000) {
            throw new IllegalArgumentException("asr.cluster.submit-timeout: between 100ms and 60s, got " + submit);
        }
        return new ClusterConfig(List.copyOf(urls), node, ackWait, replicas, connect, maxStreams, mediaAddress(raw),
                submit);
    }

    /**
     * asr.cluster.media-address; null: asr.media.rtp.bind, else asr.server.host, unless a wildcard, else this host's
     * first non-loopback IPv4 address (the loopback address on a host without one).
     */
    static String mediaAddress(Config raw) {
        String key = "asr.cluster.media-address";
        if (raw.hasPath(key)) {
            String a = raw.getString(key).strip();
            if (!a.matches("[A-Za-z0-9.:_\\[\\]-]{1,253}")) {
                throw new IllegalArgumentException(key + ": a host name or IP address, got '" + a + "'");
            }
            return a;
        }
        for (String k : List.of("asr.media.rtp.bind", "asr.server.host")) {
            if (raw.hasPath(k) && !isWildcard(raw.getString(k))) return raw.getString(k).strip();
        }
        try {
            for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (!nic.isUp() || nic.isLoopback()) continue;
                for (InetAddress a : Collections.list(nic.getInetAddresses())) {
                    if (a instanceof Inet4Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress()) {
                        return a.getHostAddress();
                    }
                }
            }
        } catch (SocketException e) {
            // no interfaces to read: the loopback address below
        }
        return InetAddress.getLoopbackAddress().getHostAddress();
    }

    private static boolean isWildcard(String host) {
        String h = host.strip();
        return h.isEmpty() || h.equals("0.0.0.0") || h.equals("::") || h.equals("[::]") || h.equals("*");
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }
}
