package org.streamasr.stream;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.streamasr.media.CallHandle;
import org.streamasr.media.ParticipantAudio;
import org.streamasr.media.ParticipantSpec;
import org.streamasr.media.TranscriptListener;

/**
 * One adapter's hold on a call. Several adapters may share a call (Jigasi opens one socket per participant, an API
 * call may be fed by an AudioSocket connection); the call ends when the last lease closes. Closing a lease that is
 * not the last ends only the participants it opened.
 */
final class CallLease implements CallHandle {
    private final CallSession call;
    private final TranscriptListener listener;
    private final Set<String> participantIds = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean closed = new AtomicBoolean();

    CallLease(CallSession call, TranscriptListener listener) {
        this.call = call;
        this.listener = listener;
    }

    @Override
    public String callId() {
        return call.id();
    }

    CallSession call() {
        return call;
    }

    TranscriptListener listener() {
        return listener;
    }

    List<String> participantIds() {
        return List.copyOf(participantIds);
    }

    @Override
    public ParticipantAudio openParticipant(ParticipantSpec participant) {
        if (closed.get()) return call.discarding(participant.participantId());
        participantIds.add(participant.participantId());
        return call.openParticipant(participant);
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) call.release(this);
    }
}
