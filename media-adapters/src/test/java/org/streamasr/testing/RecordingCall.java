package org.streamasr.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import org.streamasr.media.CallHandle;
import org.streamasr.media.ParticipantAudio;
import org.streamasr.media.ParticipantSpec;
import org.streamasr.media.PcmFrame;

/**
 * A {@link CallHandle} that records what adapters push: per participant, every {@link PcmFrame} in order and whether
 * the participant was closed. Thread-safe (adapters push from worker threads).
 */
public final class RecordingCall implements CallHandle {
    private final String callId;
    private final Map<String, Participant> participants = new ConcurrentHashMap<>();
    private volatile boolean closed;

    public RecordingCall(String callId) {
        this.callId = callId;
    }

    @Override
    public String callId() {
        return callId;
    }

    @Override
    public ParticipantAudio openParticipant(ParticipantSpec spec) {
        return participants.computeIfAbsent(spec.participantId(), Participant::new);
    }

    @Override
    public void close() {
        closed = true;
    }

    public boolean isClosed() {
        return closed;
    }

    public Participant participant(String id) {
        Participant p = participants.get(id);
        if (p == null) throw new AssertionError("no participant " + id + "; have " + participants.keySet());
        return p;
    }

    public Map<String, Participant> participants() {
        return participants;
    }

    /** Waits (polling, up to {@code millis}) for a condition; fails with {@code what} on timeout. */
    public static void await(long millis, String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + millis * 1_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) throw new AssertionError("timed out waiting for " + what);
            Thread.onSpinWait();
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what);
            }
        }
    }

    /** One participant's recorded audio. */
    public static final class Participant implements ParticipantAudio {
        private final String id;
        private final List<PcmFrame> frames = new ArrayList<>();
        private volatile boolean closed;

        Participant(String id) {
            this.id = id;
        }

        @Override
        public String participantId() {
            return id;
        }

        @Override
        public synchronized void push(PcmFrame frame) {
            if (closed) throw new AssertionError("push after close on " + id);
            frames.add(frame);
        }

        @Override
        public void close() {
            closed = true;
        }

        public boolean isClosed() {
            return closed;
        }

        public synchronized List<PcmFrame> frames() {
            return new ArrayList<>(frames);
        }

        /** All samples concatenated, checking that media times are contiguous. */
        public synchronized short[] samples() {
            int n = 0;
            for (PcmFrame f : frames) n += f.samples().length;
            short[] out = new short[n];
            int pos = 0;
            for (PcmFrame f : frames) {
                if (f.mediaTimeSamples() != pos) {
                    throw new AssertionError("media time " + f.mediaTimeSamples() + " where " + pos + " was expected");
                }
                System.arraycopy(f.samples(), 0, out, pos, f.samples().length);
                pos += f.samples().length;
            }
            return out;
        }

        public synchronized long samplesOf(PcmFrame.Kind kind) {
            long n = 0;
            for (PcmFrame f : frames) if (f.kind() == kind) n += f.samples().length;
            return n;
        }
    }
}
