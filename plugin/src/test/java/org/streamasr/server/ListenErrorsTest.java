package org.streamasr.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.streamasr.testing.ScriptedEngine;
import org.streamasr.testing.TestServers;

/** A port the server cannot listen on stops it with one line naming the setting, and leaves nothing running. */
class ListenErrorsTest {
    private final ScriptedEngine engine = new ScriptedEngine();

    private static ServerSocket taken() throws Exception {
        ServerSocket s = new ServerSocket();
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        return s;
    }

    @Test
    void theHttpPortInUseNamesHostAndPort() throws Exception {
        try (ServerSocket busy = taken()) {
            InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> AsrServer.start(
                    TestServers.config(Map.of("asr.server.port", busy.getLocalPort())), engine, false));
            assertEquals("asr.server.host/port: cannot listen on 127.0.0.1:" + busy.getLocalPort()
                    + ": Address already in use", e.getMessage());
        }
    }

    @Test
    void anUnresolvableHostNamesHostAndPort() {
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> AsrServer.start(
                TestServers.config(Map.of("asr.server.host", "no-such-host.invalid")), engine, false));
        assertTrue(e.getMessage().startsWith("asr.server.host/port: cannot listen on no-such-host.invalid:0: "),
                e.getMessage());
    }

    @Test
    void theAudioSocketPortInUseNamesItsKey() throws Exception {
        try (ServerSocket busy = taken()) {
            InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> AsrServer.start(
                    TestServers.config(Map.of("asr.media.audiosocket.port", busy.getLocalPort(),
                            "asr.media.audiosocket.bind", "127.0.0.1")), engine, false));
            assertEquals("asr.media.audiosocket.port: cannot listen on 127.0.0.1:" + busy.getLocalPort()
                    + ": Address already in use", e.getMessage());
        }
    }

    @Test
    void theSipPortInUseNamesItsKey() throws Exception {
        try (DatagramSocket busy = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> AsrServer.start(
                    TestServers.config(Map.of("asr.sip.enabled", true, "asr.sip.bind", "127.0.0.1",
                            "asr.sip.transports", java.util.List.of("udp"), "asr.sip.port", busy.getLocalPort())),
                    engine, false));
            assertTrue(e.getMessage().startsWith("asr.sip.port: cannot listen for SIP on 127.0.0.1:"
                    + busy.getLocalPort()), e.getMessage());
        }
    }
}
