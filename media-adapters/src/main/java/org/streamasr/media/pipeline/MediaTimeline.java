package org.streamasr.media.pipeline;

/**
 * The media clock of one participant: the position, in 16 kHz samples since the participant's stream started, of
 * the next sample it will deliver. Shared by the successive streams of one participant (an RTP sender that changes
 * its SSRC continues the same timeline). Used by one stream's worker at a time.
 */
public final class MediaTimeline {
    private long next;

    public long next() {
        return next;
    }

    /** Reserves {@code samples} samples and returns the position of the first. */
    public long advance(int samples) {
        long at = next;
        next += samples;
        return at;
    }

    /** Moves the clock on without audio (a gap whose time passed but is not filled). */
    public void skip(long samples) {
        if (samples > 0) next += samples;
    }
}
