package org.streamasr.media.adapter;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.streamasr.media.CallHandle;
import org.streamasr.media.CallRejectedException;
import org.streamasr.media.CallSink;
import org.streamasr.media.CallSpec;
import org.streamasr.media.ParticipantAudio;
import org.streamasr.media.ParticipantSpec;
import org.streamasr.media.PcmFrame;
import org.streamasr.media.TranscriptEvent;
import org.streamasr.media.TranscriptListener;

/**
 * A {@link CallSink} for adapter tests: records every call, participant and frame, and lets the test emit
 * transcripts and end calls as the engine would. Closing a call delivers {@code onCallEnded} like the real sink
 * (after the test-chosen finals, see {@link Call#onClose}).
 */
public final class RecordingCallSink implements CallSink {
    private final List<Call> calls = new CopyOnWriteArrayList<>();
    private volatile String rejectReason;

    public void rejectCalls(String reason) {
        rejectReason = reason;
    }

    @Override
    public CallHandle openCall(CallSpec spec, TranscriptListener listener) throws CallRejectedException {
        if (rejectReason != null) throw new CallRejectedException(rejectReason);
        Call call = new Call(spec, listener);
        calls.add(call);
        return call;
    }

    public List<Call> calls() {
        return List.copyOf(calls);
    }

    public Call awaitCall(int index) {
        Poll.until(() -> calls.size() > index, "call #" + index + " was not opened");
        return calls.get(index);
    }

    public static final class Call implements CallHandle {
        public final CallSpec spec;
        public final TranscriptListener listener;
        private final String callId;
        private final Map<String, Participant> participants = Collections.synchronizedMap(new LinkedHashMap<>());
        private final AtomicLong seq = new AtomicLong();
        private volatile boolean closed;
        private volatile Runnable onClose = () -> { };

        Call(CallSpec spec, TranscriptListener listener) {
            this.spec = spec;
            this.listener = listener;
            this.callId = spec.callId() != null ? spec.callId() : "call-" + UUID.randomUUID();
        }

        @Override
        public String callId() {
            return callId;
        }

        @Override
        public synchronized ParticipantAudio openParticipant(ParticipantSpec participant) {
            Participant existing = participants.get(participant.participantId());
            if (existing != null && !existing.closed) return existing;
            Participant p = new Participant(participant);
            participants.put(participant.participantId(), p);
            return p;
        }

        /** What the sink does when the adapter closes the call, before {@code onCallEnded} (e.g. emit finals). */
        public void onClose(Runnable action) {
            onClose = action;
        }

        @Override
        public void close() {
            if (closed) return;
            closed = true;
            participants.values().forEach(p -> p.closed = true);
            onClose.run();
            listener.onCallEnded(callId, "closed by adapter");
        }

        public boolean isClosed() {
            return closed;
        }

        public Participant participant(String id) {
            return participants.get(id);
        }

        public Participant awaitParticipant(String id) {
            Poll.until(() -> participants.containsKey(id), "participant " + id + " not opened; have " + participants.keySet());
            return participants.get(id);
        }

        public List<String> participantIds() {
            synchronized (participants) {
                return new ArrayList<>(participants.keySet());
            }
        }

        /** Delivers a transcript as the engine would. */
        public TranscriptEvent emit(String participantId, String utteranceId, boolean isFinal, String text, String language) {
            TranscriptEvent e = new TranscriptEvent(callId, participantId, null, utteranceId, seq.incrementAndGet(), isFinal,
                    text, language, 0, 1000, List.of());
            listener.onTranscript(e);
            return e;
        }
    }

    public static final class Participant implements ParticipantAudio {
        public final ParticipantSpec spec;
        private final List<PcmFrame> frames = new CopyOnWriteArrayList<>();
        private volatile boolean closed;

        Participant(ParticipantSpec spec) {
            this.spec = spec;
        }

        @Override
        public String participantId() {
            return spec.participantId();
        }

        @Override
        public void push(PcmFrame frame) {
            if (closed) throw new IllegalStateException("push after close on " + spec.participantId());
            frames.add(frame);
        }

        @Override
        public void close() {
            closed = true;
        }

        public boolean isClosed() {
            return closed;
        }

        public List<PcmFrame> frames() {
            return List.copyOf(frames);
        }

        /** Samples pushed so far, all kinds, in order. */
        public short[] samples() {
            List<PcmFrame> fs = frames();
            int n = fs.stream().mapToInt(f -> f.samples().length).sum();
            short[] out = new short[n];
            int pos = 0;
            for (PcmFrame f : fs) {
                System.arraycopy(f.samples(), 0, out, pos, f.samples().length);
                pos += f.samples().length;
            }
            return out;
        }

        public long samplesOfKind(PcmFrame.Kind kind) {
            return frames().stream().filter(f -> f.kind() == kind).mapToLong(f -> f.samples().length).sum();
        }

        /** Media time one past the last pushed sample. */
        public long endTime() {
            List<PcmFrame> fs = frames();
            if (fs.isEmpty()) return 0;
            PcmFrame last = fs.get(fs.size() - 1);
            return last.mediaTimeSamples() + last.samples().length;
        }
    }
}
