package org.streamasr.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.streamasr.testing.ScriptedEngine;
import org.streamasr.testing.TestServers;

/**
 * RFC 6455 section 5.1 says a server must close the connection on an unmasked client frame. Tyrus 2.2.2 has no
 * setting for it and does not (README, "Design notes"): this pins what it does, a raw client sending an unmasked
 * text frame gets its answer, so that a Tyrus that starts enforcing the rule is noticed and the note updated.
 */
class UnmaskedFrameTest {
    @Test
    void tyrusAnswersAnUnmaskedClientFrameInsteadOfClosing() throws Exception {
        try (AsrServer server = AsrServer.start(TestServers.config(Map.of()), new ScriptedEngine(), false);
             Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET /mediajson/unmasked HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            DataInputStream in = new DataInputStream(socket.getInputStream());
            String headers = "";
            while (!headers.endsWith("\r\n\r\n")) headers += (char) in.readUnsignedByte();
            assertTrue(headers.startsWith("HTTP/1.1 101"), headers);
            byte[] ping = "{\"event\":\"ping\",\"id\":1}".getBytes(StandardCharsets.UTF_8);
            out.write(new byte[] {(byte) 0x81, (byte) ping.length});   // FIN + text, mask bit 0, no masking key
            out.write(ping);
            out.flush();
            int opcode = in.readUnsignedByte() & 0x0f;
            int len = in.readUnsignedByte() & 0x7f;
            byte[] body = new byte[len];
            in.readFully(body);
            assertEquals(1, opcode, "a text frame, not a close (8): the unmasked frame was accepted");
            assertTrue(new String(body, StandardCharsets.UTF_8).contains("pong"), new String(body, StandardCharsets.UTF_8));
        }
    }
}
