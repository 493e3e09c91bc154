package org.streamasr.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.streamasr.media.CallHandle;
import org.streamasr.media.CallRejectedException;
import org.streamasr.media.CallSink;
import org.streamasr.media.CallSpec;
import org.streamasr.media.ParticipantAudio;
import org.streamasr.media.ParticipantSpec;
import org.streamasr.media.PcmFrame;
import org.streamasr.media.TranscriptEvent;
import org.streamasr.media.TranscriptListener;
import org.streamasr.media.adapter.Poll;

/**
 * The {@link CallSink} of adapter, RTP and SIP tests, standing in for the plugin: records every call, participant
 * and frame an adapter opens and pushes, and lets the test refuse or hold calls, emit transcripts and end calls as
 * the plugin would. Closing a call closes its participants, runs the test's {@link Call#onClose} action (e.g. last
 * finals), then tells the listener {@code onCallEnded}. Thread-safe: adapters push from their own threads.
 */
public final class RecordingCallSink implements CallSink {
    private final List<Call> calls = new CopyOnWriteArrayList<>();
    private final AtomicInteger ids = new AtomicInteger();
    private volatile String rejectReason;
    private volatile CountDownLatch hold;
    private final CountDownLatch entered = new CountDownLatch(1);
    private volatile boolean lenientAfterClose;

    /** A call on no sink, for tests that drive a stage (an RTP stream or session) straight into a call. */
    public static Call call(String callId) {
        return new RecordingCallSink().newCall(CallSpec.of(callId, "test"), TranscriptListener.NONE);
    }

    /** Waits (polling, up to {@code millis}) for a condition; fails with {@code what} on timeout. */
    public static void await(long millis, String what, BooleanSupplier condition) {
        Poll.until(condition, Duration.ofMillis(millis), () -> what);
    }

    /** Every open from now on is refused with {@code reason}. */
    public void rejectCalls(String reason) {
        rejectReason = reason;
    }

    /** Opens wait on {@code latch} (up to 10 s) before going on, e.g. to race a SIP CANCEL against one. */
    public void holdOpens(CountDownLatch latch) {
        hold = latch;
    }

    /** Counted down when the first open arrives. */
    public CountDownLatch entered() {
        return entered;
    }

    /** Frames pushed to a closed participant are recorded instead of failing the push (SIP: packets in flight). */
    public RecordingCallSink lenientAfterClose() {
        lenientAfterClose = true;
        return this;
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
        String reason = rejectReason;
        if (reason != null) throw new CallRejectedException(reason);
        Call call = newCall(spec, listener);
        calls.add(call);
        return call;
    }

    private Call newCall(CallSpec spec, TranscriptListener listener) {
        return new Call(spec, listener, spec.callId() != null ? spec.callId() : "call-" + ids.incrementAndGet());
    }

    /** The calls opened, in order. */
    public List<Call> calls() {
        return List.copyOf(calls);
    }

    public Call awaitCall(int index) {
        Poll.until(() -> calls.size() > index, "call #" + index + " was not opened");
        return calls.get(index);
    }

    /** One recorded call. */
    public final class Call implements CallHandle {
        public final CallSpec spec;
        public final TranscriptListener listener;
        private final String callId;
        private final List<Participant> opened = new ArrayList<>();
        private final Map<String, Participant> byId = new LinkedHashMap<>();
        private final AtomicLong seq = new AtomicLong();
        private volatile boolean closed;
        private volatile Runnable onClose = () -> { };

        Call(CallSpec spec, TranscriptListener listener, String callId) {
            this.spec = spec;
            this.listener = listener;
            this.callId = callId;
        }

        @Override
        public String callId() {
            return callId;
        }

        /** The open participant of that id, or a new one (a closed id opens anew, as the plugin does). */
        @Override
        public synchronized ParticipantAudio openParticipant(ParticipantSpec participant) {
            Participant existing = byId.get(participant.participantId());
            if (existing != null && !existing.closed) return existing;
            Participant p = new Participant(participant, lenientAfterClose);
            opened.add(p);
            byId.put(participant.participantId(), p);
            return p;
        }

        /** What the sink does when the adapter closes the call, before {@code onCallEnded} (e.g. emit finals). */
        public void onClose(Runnable action) {
            onClose = action;
        }

        @Override
        public void close() {
            synchronized (this) {
                if (closed) return;
                closed = true;
                opened.forEach(p -> p.closed = true);
            }
            onClose.run();
            listener.onCallEnded(callId, "closed by adapter");
        }

        public boolean isClosed() {
            return closed;
        }

        /** The latest participant opened with that id, or null. */
        public synchronized Participant participant(String id) {
            return byId.get(id);
        }

        public Participant awaitParticipant(String id) {
            Poll.until(() -> participant(id) != null, "participant " + id + " not opened; have " + participantIds());
            return participant(id);
        }

        /** Every participant opened, in order (an id opened again after its close appears twice). */
        public synchronized List<Participant> participants() {
            return List.copyOf(opened);
        }

        /** The ids opened, in the order first seen. */
        public synchronized List<String> participantIds() {
            return new ArrayList<>(byId.keySet());
        }

        /** Delivers a transcript as the plugin would. */
        public TranscriptEvent emit(String participantId, String utteranceId, boolean isFinal, String text, String language) {
            TranscriptEvent e = new TranscriptEvent(callId, participantId, null, utteranceId, seq.incrementAndGet(), isFinal,
                    text, language, 0, 1000, List.of());
            listener.onTranscript(e);
            return e;
        }
    }

    /** One participant's recorded audio. */
    public static final class Participant implements ParticipantAudio {
        public final ParticipantSpec spec;
        private final boolean lenientAfterClose;
        private final List<PcmFrame> frames = new CopyOnWriteArrayList<>();
        private volatile boolean closed;

        Participant(ParticipantSpec spec, boolean lenientAfterClose) {
            this.spec = spec;
            this.lenientAfterClose = lenientAfterClose;
        }

        @Override
        public String participantId() {
            return spec.participantId();
        }

        @Override
        public void push(PcmFrame frame) {
            if (closed && !lenientAfterClose) throw new AssertionError("push after close on " + spec.participantId());
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

        /** Whether a frame starting at this media time was pushed. */
        public boolean hasFrameAt(long mediaTimeSamples) {
            return frames.stream().anyMatch(f -> f.mediaTimeSamples() == mediaTimeSamples);
        }

        /** Samples pushed so far, all kinds, in order. */
        public short[] samples() {
            return concat(frames(), false);
        }

        /** The same, checking that media times are contiguous (no frame skips or overlaps the clock). */
        public short[] contiguousSamples() {
            return concat(frames(), true);
        }

        public long samplesOf(PcmFrame.Kind kind) {
            return frames().stream().filter(f -> f.kind() == kind).mapToLong(f -> f.samples().length).sum();
        }

        /** Media time one past the last pushed sample. */
        public long endTime() {
            List<PcmFrame> fs = frames();
            if (fs.isEmpty()) return 0;
            PcmFrame last = fs.get(fs.size() - 1);
            return last.mediaTimeSamples() + last.samples().length;
        }

        private static short[] concat(List<PcmFrame> fs, boolean contiguous) {
            int n = fs.stream().mapToInt(f -> f.samples().length).sum();
            short[] out = new short[n];
            int pos = 0;
            for (PcmFrame f : fs) {
                if (contiguous && f.mediaTimeSamples() != pos) {
                    throw new AssertionError("media time " + f.mediaTimeSamples() + " where " + pos + " was expected");
                }
                System.arraycopy(f.samples(), 0, out, pos, f.samples().length);
                pos += f.samples().length;
            }
            return out;
        }
    }
}
