package org.streamasr.media.rtp;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A UDP relay for tests that impairs what it forwards, reproducibly (seeded): drops a fraction, holds some packets
 * back behind their successor (reorder), and delays each by a random jitter.
 */
final class ImpairmentProxy implements AutoCloseable {
    private final DatagramSocket in;
    private final DatagramSocket out;
    private final InetSocketAddress target;
    private final double drop;
    private final double reorder;
    private final int jitterMs;
    private final Random rnd;
    private final ScheduledExecutorService delay = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "impairment-delay"));
    private final Thread reader = new Thread(this::relay, "impairment-proxy");
    private final AtomicInteger received = new AtomicInteger();
    private final AtomicInteger dropped = new AtomicInteger();
    private final AtomicInteger reordered = new AtomicInteger();
    private volatile long lastPacketNanos = System.nanoTime();
    private volatile boolean running = true;

    record Stats(int received, int dropped, int reordered) {
    }

    ImpairmentProxy(int targetPort, double drop, double reorder, int jitterMs, long seed) throws IOException {
        this.in = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        this.out = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        this.target = new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort);
        this.drop = drop;
        this.reorder = reorder;
        this.jitterMs = jitterMs;
        this.rnd = new Random(seed);
        in.setSoTimeout(100);
    }

    int port() {
        return in.getLocalPort();
    }

    void start() {
        reader.start();
    }

    private void relay() {
        byte[] held = null;
        byte[] buf = new byte[65536];
        while (running) {
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            try {
                in.receive(p);
            } catch (SocketTimeoutException e) {
                continue;
            } catch (IOException e) {
                return;
            }
            lastPacketNanos = System.nanoTime();
            received.incrementAndGet();
            byte[] data = java.util.Arrays.copyOf(p.getData(), p.getLength());
            if (rnd.nextDouble() < drop) {
                dropped.incrementAndGet();
                continue;
            }
            if (held == null && rnd.nextDouble() < reorder) {
                held = data;
                reordered.incrementAndGet();
                continue;
            }
            forward(data, rnd.nextInt(jitterMs + 1));
            if (held != null) {
                forward(held, rnd.nextInt(jitterMs + 1));
                held = null;
            }
        }
    }

    private void forward(byte[] data, int delayMs) {
        delay.schedule(() -> {
            try {
                out.send(new DatagramPacket(data, data.length, target));
            } catch (IOException e) {
                // closed while a delayed packet was pending
            }
        }, delayMs, TimeUnit.MILLISECONDS);
    }

    /** Waits until the sender has been silent for 300 ms and the delayed packets are out. */
    void awaitIdle() throws InterruptedException {
        while (System.nanoTime() - lastPacketNanos < 300_000_000L) TimeUnit.MILLISECONDS.sleep(20);
    }

    Stats stats() {
        return new Stats(received.get(), dropped.get(), reordered.get());
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        reader.join(2000);
        delay.shutdown();
        delay.awaitTermination(2, TimeUnit.SECONDS);
        in.close();
        out.close();
    }
}
