package org.streamasr.media.rtp;

import java.util.List;
import org.streamasr.runtime.DropCounter;
import org.streamasr.media.pipeline.Stage;

/**
 * The {@link JitterBuffer} as the first stage of an RTP pipeline: a packet goes in, and out come the packets due
 * when it arrived (none while a hole is held open, several when it fills one). A packet the buffer refuses
 * (duplicate, late, sequence jump) is a drop. The timer releases what became due later ({@link #release}); the
 * end of the stream plays out everything held ({@link #finish}).
 */
final class JitterStage extends Stage<RtpPacket, List<PlayoutPacket>> {
    private final JitterBuffer buffer;

    JitterStage(JitterBuffer buffer, DropCounter drops) {
        super("jitter", drops);
        this.buffer = buffer;
    }

    @Override
    protected List<PlayoutPacket> transform(RtpPacket p) {
        if (!buffer.insert(p)) {
            release(p.arrivalNanos());
            return null;
        }
        // release what was due when this packet arrived: a worker that runs late (a busy CPU pool) plays out what
        // the queue held as a punctual one would have, instead of piling seconds of packets into the buffer
        return buffer.pollAll(p.arrivalNanos());
    }

    /** Emits the packets due at {@code now}. */
    void release(long now) {
        List<PlayoutPacket> due = buffer.pollAll(now);
        if (!due.isEmpty()) emit(due);
    }

    /** The sender restarted (a new SSRC): held packets play out first, then numbering starts afresh. */
    void restart() {
        buffer.restart();
    }

    long nextDeadline() {
        return buffer.nextDeadline();
    }

    JitterBuffer.Stats bufferStats() {
        return buffer.stats();
    }

    @Override
    public void finish() {
        List<PlayoutPacket> rest = buffer.drain();
        if (!rest.isEmpty()) emit(rest);
    }
}
