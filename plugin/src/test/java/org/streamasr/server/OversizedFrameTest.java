package org.streamasr.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.io.DataInputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.streamasr.testing.RecordingListener;
import org.streamasr.testing.ScriptedEngine;
import org.streamasr.testing.TestServers;
import org.streamasr.testing.WebSocketRecorder;

/** A frame too large for the WebSocket container is a counted drop, logged without a stack trace; the server goes on. */
class OversizedFrameTest {
    @Test
    void aFrameBeyondTheIncomingBufferIsCountedNotLoggedWithAStackTrace() throws Exception {
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        ListAppender<ILoggingEvent> logged = new ListAppender<>();
        logged.start();
        root.addAppender(logged);
        try (AsrServer server = AsrServer.start(TestServers.config(Map.of()), new ScriptedEngine(), false)) {
            URI uri = URI.create(server.baseUri().toString().replaceFirst("^http", "ws") + "/mediajson/big");
            for (int i = 0; i < 2; i++) {
                assertEquals(1011, sendOneFrame(server.port(), "/mediajson/big-" + i, 2 << 20), "Tyrus' close code");
            }
            var drops = server.mediaMetrics().dropCounter("websocket");
            RecordingListener.await(() -> drops.count("message-too-large") == 2, Duration.ofSeconds(10),
                    "two counted drops");
            try (WebSocketRecorder ws = WebSocketRecorder.connect(uri)) {
                ws.sendText("{\"event\":\"ping\",\"id\":1}");
                assertEquals("pong", ws.nextJson(Duration.ofSeconds(10)).path("event").asText(), "the server goes on");
            }
        } finally {
            root.detachAppender(logged);
        }
        List<ILoggingEvent> withStack = logged.list.stream().filter(e -> e.getThrowableProxy() != null).toList();
        assertEquals(List.of(), withStack.stream().map(ILoggingEvent::getFormattedMessage).toList(), "no stack traces");
        assertTrue(logged.list.stream().filter(e -> e.getFormattedMessage().contains("message-too-large")).count() == 1,
                "one line for both (rate-limited)");
    }

    /**
     * A raw client (the JDK's splits large messages into frames, which Tyrus handles as partial messages): one text
     * frame of {@code size} bytes; returns the close code the server answers with.
     */
    private static int sendOneFrame(int port, String path, int size) throws Exception {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(20_000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            DataInputStream in = new DataInputStream(socket.getInputStream());
            String headers = "";
            while (!headers.endsWith("\r\n\r\n")) headers += (char) in.readUnsignedByte();
            assertTrue(headers.startsWith("HTTP/1.1 101"), headers);
            ByteBuffer header = ByteBuffer.allocate(14).put((byte) 0x81).put((byte) (0x80 | 127)).putLong(size)
                    .putInt(0); // mask key 0: the payload goes as it is
            out.write(header.array());
            byte[] payload = new byte[size];
            java.util.Arrays.fill(payload, (byte) 'x');
            try {
                out.write(payload);
            } catch (java.io.IOException e) {
                // the server may close before reading it all; its close frame is still there to read
            }
            while (true) {
                int opcode = in.readUnsignedByte() & 0x0f;
                int len = in.readUnsignedByte() & 0x7f;
                if (len == 126) len = in.readUnsignedShort();
                byte[] body = new byte[len];
                in.readFully(body);
                if (opcode == 8) return ((body[0] & 0xff) << 8) | (body[1] & 0xff);
            }
        }
    }
}
