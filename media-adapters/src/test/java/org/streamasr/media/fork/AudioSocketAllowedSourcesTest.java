package org.streamasr.media.fork;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.streamasr.media.CallRejectedException;
import org.streamasr.media.MediaMetrics;

/** AudioSocket carries no credential: with a lock, connections from other addresses are closed at once and counted. */
class AudioSocketAllowedSourcesTest {
    @Test
    void addressesAndBlocksMatch() throws Exception {
        AllowedSources s = new AllowedSources(List.of("10.0.0.0/8", "192.0.2.7", "fd00::/8"));
        assertTrue(s.test(InetAddress.getByName("10.1.2.3")));
        assertTrue(s.test(InetAddress.getByName("192.0.2.7")));
        assertFalse(s.test(InetAddress.getByName("192.0.2.8")));
        assertTrue(s.test(InetAddress.getByName("fd12::1")));
        assertFalse(s.test(InetAddress.getByName("127.0.0.1")));
        assertThrows(IllegalArgumentException.class, () -> new AllowedSources(List.of("example.org")));
    }

    @Test
    void aConnectionFromAnotherAddressIsClosedAndCounted() throws Exception {
        MediaMetrics metrics = new MediaMetrics();
        var pool = Executors.newSingleThreadExecutor();
        AudioSocketServer server = AudioSocketServer.start((spec, listener) -> {
            throw new CallRejectedException("not expected");
        }, metrics, pool, AudioSocketConfig.defaults().withPort(0), new AllowedSources(List.of("192.0.2.0/24")));
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
            s.setSoTimeout(10_000);
            assertEquals(-1, s.getInputStream().read(), "closed without a word");
            assertEquals(1, metrics.dropCounter(AudioSocketSession.COMPONENT).count("unauthorized"));
        } finally {
            server.close();
            pool.shutdownNow();
        }
    }
}
