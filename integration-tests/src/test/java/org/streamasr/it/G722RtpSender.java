package org.streamasr.it;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Sends G.722 as live RTP from Java: 160 bytes (20 ms) per packet, paced at 20 ms, RTP clock +160 per packet (RFC
 * 3551: G.722's clock is 8 kHz). For a second stream beside what sipp plays from its pcap.
 */
final class G722RtpSender implements AutoCloseable {
    private static final int BYTES_PER_PACKET = 160;

    private final DatagramSocket socket;
    private final ScheduledExecutorService pacer;
    private final CountDownLatch done = new CountDownLatch(1);

    G722RtpSender(byte[] g722, int payloadType, int ssrc, InetSocketAddress to) throws IOException {
        socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        pacer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "g722-rtp-sender");
            t.setDaemon(true);
            return t;
        });
        AtomicInteger seq = new AtomicInteger();
        pacer.scheduleAtFixedRate(() -> {
            int n = seq.getAndIncrement();
            int off = n * BYTES_PER_PACKET;
            if (off + BYTES_PER_PACKET > g722.length) {
                done.countDown();
                throw new IllegalStateException("done"); // ends the schedule
            }
            byte[] rtp = new byte[12 + BYTES_PER_PACKET];
            ByteBuffer.wrap(rtp).put((byte) 0x80).put((byte) (payloadType | (n == 0 ? 0x80 : 0))).putShort((short) n)
                    .putInt(n * BYTES_PER_PACKET).putInt(ssrc);
            System.arraycopy(g722, off, rtp, 12, BYTES_PER_PACKET);
            try {
                socket.send(new DatagramPacket(rtp, rtp.length, to));
            } catch (IOException e) {
                done.countDown();
                throw new IllegalStateException(e);
            }
        }, 0, 20, TimeUnit.MILLISECONDS);
    }

    /** Waits until every packet went out. */
    boolean awaitDone(long seconds) throws InterruptedException {
        return done.await(seconds, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        pacer.shutdownNow();
        socket.close();
    }
}
