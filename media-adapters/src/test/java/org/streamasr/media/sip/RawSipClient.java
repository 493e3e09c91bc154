package org.streamasr.media.sip;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/** A bare SIP peer for tests: writes exactly the bytes given (good or broken) over UDP or TCP and reads messages back. */
final class RawSipClient implements AutoCloseable {
    final String transport;
    private final DatagramSocket udp;
    private final Socket tcp;
    private final InetSocketAddress server;
    private final byte[] tcpBuffer = new byte[65_536];
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();

    /** A SIP message as read: start line, headers (first value per lower-cased name, all values in {@code all}), body. */
    record Message(String startLine, Map<String, List<String>> all, String body) {
        int status() {
            String[] p = startLine.split(" ", 3);
            return startLine.startsWith("SIP/2.0") ? Integer.parseInt(p[1]) : -1;
        }

        boolean isRequest() {
            return !startLine.startsWith("SIP/2.0");
        }

        String method() {
            return startLine.split(" ")[0];
        }

        String header(String name) {
            List<String> v = all.get(name.toLowerCase(Locale.ROOT));
            return v == null ? null : v.get(0);
        }

        List<String> headers(String name) {
            return all.getOrDefault(name.toLowerCase(Locale.ROOT), List.of());
        }
    }

    RawSipClient(String transport, int port) throws IOException {
        this.transport = transport;
        this.server = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
        if (transport.equals("udp")) {
            udp = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            udp.setSoTimeout(5_000);
            tcp = null;
        } else {
            udp = null;
            tcp = new Socket();
            tcp.connect(server, 5_000);
            tcp.setSoTimeout(5_000);
        }
    }

    void timeoutMillis(int ms) throws IOException {
        if (udp != null) udp.setSoTimeout(ms);
        else tcp.setSoTimeout(ms);
    }

    int localPort() {
        return udp != null ? udp.getLocalPort() : tcp.getLocalPort();
    }

    String via(String branch) {
        return "Via: SIP/2.0/" + transport.toUpperCase(Locale.ROOT) + " 127.0.0.1:" + localPort() + ";branch=z9hG4bK" + branch + ";rport";
    }

    static String branch() {
        return UUID.randomUUID().toString().substring(0, 12);
    }

    void send(String message) throws IOException {
        send(message.getBytes(StandardCharsets.UTF_8));
    }

    void send(byte[] bytes) throws IOException {
        if (udp != null) udp.send(new DatagramPacket(bytes, bytes.length, server));
        else {
            tcp.getOutputStream().write(bytes);
            tcp.getOutputStream().flush();
        }
    }

    /** The next message, or null when none came within the timeout (or the TCP peer closed). */
    Message receive() throws IOException {
        try {
            if (udp != null) {
                byte[] buf = new byte[65_536];
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                udp.receive(p);
                return parse(new String(buf, 0, p.getLength(), StandardCharsets.UTF_8));
            }
            while (true) {
                Message m = takeFramed();
                if (m != null) return m;
                InputStream in = tcp.getInputStream();
                int n = in.read(tcpBuffer);
                if (n < 0) return null;
                pending.write(tcpBuffer, 0, n);
            }
        } catch (SocketTimeoutException e) {
            return null;
        }
    }

    /** The next response with this status or a final one, skipping provisional ones and requests it answers with 200. */
    Message awaitStatus(int wanted) throws IOException {
        while (true) {
            Message m = receive();
            if (m == null) return null;
            if (m.isRequest()) continue;
            if (m.status() == wanted || m.status() >= 200) return m;
        }
    }

    private Message takeFramed() {
        String text = pending.toString(StandardCharsets.UTF_8);
        while (text.startsWith("\r\n")) text = text.substring(2);
        int end = text.indexOf("\r\n\r\n");
        if (end < 0) return null;
        Message head = parse(text.substring(0, end + 4));
        String cl = head.header("content-length");
        int len = cl == null ? 0 : Integer.parseInt(cl.trim());
        byte[] all = text.getBytes(StandardCharsets.UTF_8);
        int headBytes = text.substring(0, end + 4).getBytes(StandardCharsets.UTF_8).length;
        if (all.length < headBytes + len) return null;
        String body = new String(all, headBytes, len, StandardCharsets.UTF_8);
        pending.reset();
        pending.write(all, headBytes + len, all.length - headBytes - len);
        return new Message(head.startLine, head.all, body);
    }

    static Message parse(String text) {
        int end = text.indexOf("\r\n\r\n");
        String head = end < 0 ? text : text.substring(0, end);
        String body = end < 0 ? "" : text.substring(end + 4);
        String[] lines = head.split("\r\n");
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int c = lines[i].indexOf(':');
            if (c <= 0) continue;
            headers.computeIfAbsent(lines[i].substring(0, c).trim().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                    .add(lines[i].substring(c + 1).trim());
        }
        return new Message(lines[0], headers, body);
    }

    @Override
    public void close() throws IOException {
        if (udp != null) udp.close();
        if (tcp != null) tcp.close();
    }
}
