package org.streamasr.media.rtp;

import java.util.Map;
import org.streamasr.media.ParticipantSpec;

/** Decides which participant an RTP source (SSRC) is. */
@FunctionalInterface
public interface ParticipantResolver {

    /** The participant whose audio {@code ssrc} carries, or {@code null} to ignore the source (counted). */
    ParticipantSpec participantFor(long ssrc);

    /** Each SSRC is its own participant, {@code ssrc-<decimal>} (a conference mix forwarded as separate sources). */
    static ParticipantResolver perSsrc() {
        return ssrc -> ParticipantSpec.of("ssrc-" + ssrc);
    }

    /**
     * Every SSRC is the same participant (one caller; a sender that restarts with a new SSRC continues the same
     * participant's stream and timeline).
     */
    static ParticipantResolver single(ParticipantSpec participant) {
        return ssrc -> participant;
    }

    /** Known SSRCs (from signalling) map to their participants; others go to {@code otherwise} (may return null). */
    static ParticipantResolver known(Map<Long, ParticipantSpec> bySsrc, ParticipantResolver otherwise) {
        Map<Long, ParticipantSpec> copy = Map.copyOf(bySsrc);
        return ssrc -> {
            ParticipantSpec p = copy.get(ssrc);
            return p != null ? p : otherwise.participantFor(ssrc);
        };
    }
}
