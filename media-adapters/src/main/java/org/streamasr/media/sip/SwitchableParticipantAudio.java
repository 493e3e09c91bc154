package org.streamasr.media.sip;

import org.streamasr.media.ParticipantAudio;
import org.streamasr.media.PcmFrame;

/**
 * The participant a received stream feeds, swappable while the receiver runs: SIPREC metadata updates can say that
 * another participant is now heard on a stream (a transfer) or give a participant a new name. After a switch the
 * new participant's media clock starts at its first frame, so the old stream's elapsed time is not a gap for it.
 */
final class SwitchableParticipantAudio implements ParticipantAudio {
    private volatile Target target;

    private record Target(ParticipantAudio audio, boolean rebase, long[] base) {
    }

    SwitchableParticipantAudio(ParticipantAudio first) {
        target = new Target(first, false, new long[] {0});
    }

    @Override
    public String participantId() {
        return target.audio.participantId();
    }

    ParticipantAudio current() {
        return target.audio;
    }

    /** Feeds {@code next} from now on and closes the previous participant's stream (its finals are delivered). */
    void switchTo(ParticipantAudio next) {
        Target old = target;
        target = new Target(next, true, new long[] {-1});
        old.audio.close();
    }

    @Override
    public void push(PcmFrame frame) {
        Target t = target;
        if (!t.rebase) {
            t.audio.push(frame);
            return;
        }
        // one writer (the stream's media thread) touches base; a switch installs a fresh array
        if (t.base[0] < 0) t.base[0] = frame.mediaTimeSamples();
        long at = Math.max(0, frame.mediaTimeSamples() - t.base[0]);
        t.audio.push(frame.withMediaTime(at));
    }

    @Override
    public void close() {
        target.audio.close();
    }
}
