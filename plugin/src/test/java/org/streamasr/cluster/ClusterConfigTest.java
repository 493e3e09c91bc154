package org.streamasr.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.streamasr.server.ConfigLoader;

/** {@code asr.cluster}: the NATS URL list of a three-server cluster, and bad values named by their key. */
class ClusterConfigTest {

    private static ClusterConfig read(Map<String, String> env, Map<String, Object> flags) {
        return ClusterConfig.from(ConfigLoader.load(null, env, flags), 8080);
    }

    @Test
    void aCommaSeparatedListFromTheEnvironmentGivesEveryServer() {
        ClusterConfig c = read(Map.of("ASR_NATS_URL", " nats://nats1:4222, nats://nats2:4222 ,nats://nats3:4222,"),
                Map.of("asr.cluster.replicas", 3));
        assertEquals(List.of("nats://nats1:4222", "nats://nats2:4222", "nats://nats3:4222"), c.natsUrls());
        assertEquals(3, c.replicas());
        assertTrue(c.enabled());
    }

    @Test
    void withoutAUrlTheNodeRunsAlone() {
        ClusterConfig c = read(Map.of(), Map.of());
        assertFalse(c.enabled());
        assertEquals(1, c.replicas(), "the default: one NATS server");
        assertTrue(c.nodeId().endsWith(":8080"), c.nodeId());
    }

    @Test
    void badValuesNameTheirKey() {
        IllegalArgumentException url = assertThrows(IllegalArgumentException.class,
                () -> read(Map.of(), Map.of("asr.cluster.nats.url", "nats://nats1:4222,http://nats2:4222")));
        assertTrue(url.getMessage().startsWith("asr.cluster.nats.url:"), url.getMessage());
        assertTrue(url.getMessage().contains("http://nats2:4222"), url.getMessage());
        IllegalArgumentException replicas = assertThrows(IllegalArgumentException.class,
                () -> read(Map.of(), Map.of("asr.cluster.nats.url", "nats://n:4222", "asr.cluster.replicas", 0)));
        assertTrue(replicas.getMessage().startsWith("asr.cluster.replicas:"), replicas.getMessage());
        for (String bad : List.of("60s", "50ms")) {
            IllegalArgumentException connect = assertThrows(IllegalArgumentException.class, () -> read(Map.of(),
                    Map.of("asr.cluster.nats.url", "nats://n:4222", "asr.cluster.connect-timeout", bad)));
            assertTrue(connect.getMessage().startsWith("asr.cluster.connect-timeout:"), connect.getMessage());
        }
        assertEquals(java.time.Duration.ofSeconds(59), read(Map.of(), Map.of("asr.cluster.nats.url", "nats://n:4222",
                "asr.cluster.connect-timeout", "59s")).connectTimeout());
    }
}
