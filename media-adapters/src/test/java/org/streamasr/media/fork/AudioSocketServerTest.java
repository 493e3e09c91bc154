package org.streamasr.media.fork;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.streamasr.media.MediaMetrics;
import org.streamasr.media.adapter.Poll;
import org.streamasr.media.adapter.TestAudio;
import org.streamasr.testing.RecordingCallSink;
import org.streamasr.testing.SignalMetrics;

/** The AudioSocket TCP server with clients that speak like Asterisk's res_audiosocket. */
class AudioSocketServerTest {
    private final RecordingCallSink sink = new RecordingCallSink();
    private final MediaMetrics metrics = new MediaMetrics();
    private final org.streamasr.media.pipeline.MediaExecutors pool = org.streamasr.media.pipeline.MediaExecutors.create(2);
    private AudioSocketServer server;

    private AudioSocketServer start(Duration idle) throws IOException {
        AudioSocketConfig d = AudioSocketConfig.defaults();
        server = AudioSocketServer.start(sink, metrics, pool.cpu(),
                new AudioSocketConfig("127.0.0.1", 0, d.kindRates(), d.maxPayloadBytes(), idle, 4));
        return server;
    }

    @AfterEach
    void stop() {
        if (server != null) server.close();
        pool.close();
    }

    private Socket connect() throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", server.port()), 5000);
        s.setSoTimeout(10_000);
        return s;
    }

    /** Blocks until the server closes the connection (read returns -1). */
    static void awaitServerClose(Socket s) throws IOException {
        InputStream in = s.getInputStream();
        assertEquals(-1, in.read());
    }

    @Test
    void asteriskCallWithSpeechDtmfAndHangup() throws Exception {
        start(Duration.ofSeconds(30));
        short[] speech = TestAudio.clip("sense_and_sensibility_01_austen_64kb-0880.wav");
        short[] at8k = TestAudio.resample(speech, 16_000, 8_000);
        UUID id = UUID.randomUUID();
        try (Socket asterisk = connect()) {
            OutputStream o = asterisk.getOutputStream();
            o.write(AudioSocketSessionTest.id(id));
            for (int off = 0; off + 160 <= at8k.length; off += 160) {
                o.write(AudioSocketSessionTest.slin(0x10, java.util.Arrays.copyOfRange(at8k, off, off + 160)));
                if (off == 8000) o.write(AudioSocketSessionTest.frame(0x03, new byte[] {'#'}));
            }
            o.write(AudioSocketSessionTest.frame(0x00, new byte[0]));
            o.flush();
            awaitServerClose(asterisk);
        }
        RecordingCallSink.Call call = sink.awaitCall(0);
        assertEquals(id.toString(), call.callId());
        Poll.until(call::isClosed, "call closed on hangup");
        SignalMetrics.Alignment a = SignalMetrics.align(TestAudio.resample(at8k, 8_000, 16_000), call.participant("caller").samples(), 100);
        assertTrue(a.correlation() > 0.999, a.toString());
        assertEquals(1, metrics.counters().get("audiosocket.dtmf"));
        Poll.until(() -> server.connectionCount() == 0, "connection released");
    }

    @Test
    void manyCallsShareOneSelectorThread() throws Exception {
        start(Duration.ofSeconds(30));
        List<Socket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < 4; i++) {
                Socket s = connect();
                sockets.add(s);
                s.getOutputStream().write(AudioSocketSessionTest.id(UUID.randomUUID()));
                s.getOutputStream().write(AudioSocketSessionTest.slin(0x10, new short[160]));
            }
            Poll.until(() -> sink.calls().size() == 4, "four calls");
            long selectors = Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("audiosocket")).count();
            assertEquals(1, selectors, "one thread for every AudioSocket connection");
            Socket fifth = connect();
            sockets.add(fifth);
            awaitServerClose(fifth);
            Poll.until(() -> metrics.dropCounter("audiosocket").count("too-many-connections") == 1, "fifth refused");
        } finally {
            for (Socket s : sockets) s.close();
        }
        Poll.until(() -> server.connectionCount() == 0, "all released");
        for (RecordingCallSink.Call c : sink.calls()) Poll.until(c::isClosed, "call closed when Asterisk closed the socket");
    }

    @Test
    void absurdLengthIdleAndSinkEndedConnectionsAreClosed() throws Exception {
        start(Duration.ofMillis(300));
        try (Socket broken = connect()) {
            broken.getOutputStream().write(AudioSocketSessionTest.id(UUID.randomUUID()));
            broken.getOutputStream().write(new byte[] {0x10, (byte) 0xff, (byte) 0xff});
            awaitServerClose(broken);
        }
        assertEquals(1, metrics.dropCounter("audiosocket").count("frame-too-long"));
        try (Socket idle = connect()) {
            awaitServerClose(idle);
        }
        assertTrue(metrics.dropCounter("audiosocket").count("idle-timeout") >= 1);
        server.close();
        start(Duration.ofSeconds(30));
        UUID id = UUID.randomUUID();
        try (Socket ended = connect()) {
            ended.getOutputStream().write(AudioSocketSessionTest.id(id));
            RecordingCallSink.Call call = Poll.await(() -> sink.calls().stream().filter(c -> c.callId().equals(id.toString())).findFirst());
            call.listener.onCallEnded(call.callId(), "hung up by the API");
            awaitServerClose(ended);
        }
    }

    @Test
    void closingTheServerEndsEveryCall() throws Exception {
        start(Duration.ofSeconds(30));
        try (Socket s = connect()) {
            s.getOutputStream().write(AudioSocketSessionTest.id(UUID.randomUUID()));
            RecordingCallSink.Call call = sink.awaitCall(0);
            server.close();
            assertTrue(call.isClosed());
            awaitServerClose(s);
        }
        server = null;
    }
}
