package org.streamasr.media.sip;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.streamasr.media.CallHandle;
import org.streamasr.media.CallRejectedException;
import org.streamasr.media.CallSink;
import org.streamasr.media.CallSpec;
import org.streamasr.media.ParticipantAudio;
import org.streamasr.media.ParticipantSpec;
import org.streamasr.media.PcmFrame;
import org.streamasr.media.TranscriptListener;

/** A call sink that records what the gateway opens, pushes and closes; openCall can be held to test CANCEL. */
final class RecordingCallSink implements CallSink {
    final List<Call> calls = new CopyOnWriteArrayList<>();
    private final AtomicInteger ids = new AtomicInteger();
    volatile CountDownLatch hold;
    volatile CountDownLatch entered = new CountDownLatch(1);
    volatile String rejectWith;

    final class Call implements CallHandle {
        final String id = "call-" + ids.incrementAndGet();
        final CallSpec spec;
        final TranscriptListener listener;
        final List<Participant> participants = new CopyOnWriteArrayList<>();
        volatile boolean closed;

        Call(CallSpec spec, TranscriptListener listener) {
            this.spec = spec;
            this.listener = listener;
        }

        @Override
        public String callId() {
            return id;
        }

        @Override
        public ParticipantAudio openParticipant(ParticipantSpec p) {
            for (Participant open : participants) if (!open.closed && open.spec.participantId().equals(p.participantId())) return open;
            Participant np = new Participant(p);
            participants.add(np);
            return np;
        }

        @Override
        public void close() {
            if (closed) return;
            closed = true;
            participants.forEach(Participant::close);
            listener.onCallEnded(id, "closed");
        }
    }

    static final class Participant implements ParticipantAudio {
        final ParticipantSpec spec;
        final AtomicInteger frames = new AtomicInteger();
        final Map<Long, Boolean> times = new ConcurrentHashMap<>();
        volatile boolean closed;

        Participant(ParticipantSpec spec) {
            this.spec = spec;
        }

        @Override
        public String participantId() {
            return spec.participantId();
        }

        @Override
        public void push(PcmFrame frame) {
            frames.incrementAndGet();
            times.put(frame.mediaTimeSamples(), true);
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    @Override
    public CallHandle openCall(CallSpec spec, TranscriptListener listener) throws CallRejectedException {
        entered.countDown();
        CountDownLatch h = hold;
        if (h != null) {
            try {
                h.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (rejectWith != null) throw new CallRejectedException(rejectWith);
        Call c = new Call(spec, listener);
        calls.add(c);
        return c;
    }
}
