package org.streamasr.stream;

import org.streamasr.runtime.DropCounter;
import org.streamasr.media.ParticipantAudio;
import org.streamasr.media.PcmFrame;

/**
 * The participant an adapter gets from a call that has ended or failed to open a stream: its frames are counted as
 * dropped ("call-ended"), so an adapter racing a call's end never sees an exception on its media path.
 */
final class DiscardingParticipant implements ParticipantAudio {
    private final String callId;
    private final String participantId;
    private final DropCounter drops;
    private final String reason;

    DiscardingParticipant(String callId, String participantId, DropCounter drops) {
        this(callId, participantId, drops, "call-ended");
    }

    /** @param reason what its frames are counted as (a participant refused an engine stream: "engine-share") */
    DiscardingParticipant(String callId, String participantId, DropCounter drops, String reason) {
        this.callId = callId;
        this.participantId = participantId;
        this.drops = drops;
        this.reason = reason;
    }

    @Override
    public String participantId() {
        return participantId;
    }

    @Override
    public void push(PcmFrame frame) {
        drops.drop(reason, callId + "/" + participantId);
    }

    @Override
    public void close() {
    }
}
