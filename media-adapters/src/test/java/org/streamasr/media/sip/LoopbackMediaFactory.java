package org.streamasr.media.sip;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.streamasr.media.ParticipantAudio;
import org.streamasr.media.sip.sdp.StreamOffer;

/**
 * Media for signalling tests: reserves a real loopback UDP port per stream (so answers carry ports nobody else
 * holds) and records what was negotiated; tests fire {@code onInactive} themselves.
 */
final class LoopbackMediaFactory implements SipMediaFactory {
    final List<Opened> opened = new CopyOnWriteArrayList<>();
    /** When set, every open fails with it (no port could be bound). */
    volatile IOException failOpens;

    final class Opened implements SipMediaStream {
        final StreamOffer offer;
        final ParticipantAudio audio;
        final java.util.function.LongConsumer onInactive;
        final DatagramSocket socket;
        volatile boolean closed;
        final java.util.concurrent.atomic.AtomicInteger inactivityRestarts = new java.util.concurrent.atomic.AtomicInteger();

        Opened(StreamOffer offer, ParticipantAudio audio, java.util.function.LongConsumer onInactive) throws IOException {
            this.offer = offer;
            this.audio = audio;
            this.onInactive = onInactive;
            this.socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        }

        @Override
        public int localPort() {
            return socket.getLocalPort();
        }

        @Override
        public long restartInactivityTimer() {
            return inactivityRestarts.incrementAndGet();
        }

        @Override
        public void close() {
            closed = true;
            socket.close();
        }
    }

    @Override
    public SipMediaStream open(String callId, StreamOffer stream, ParticipantAudio audio, java.util.function.LongConsumer onInactive) throws IOException {
        if (failOpens != null) throw failOpens;
        Opened o = new Opened(stream, audio, onInactive);
        opened.add(o);
        return o;
    }

    long openCount() {
        return opened.stream().filter(o -> !o.closed).count();
    }
}
