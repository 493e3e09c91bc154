package org.streamasr.media.adapter;

import org.streamasr.media.ParticipantAudio;
import org.streamasr.media.PcmFrame;

/**
 * One participant's audio on its way into the engine, with the participant's media clock: every frame is stamped
 * with the position of its first sample (16 kHz samples since the stream started), and a gap that is neither
 * concealed nor filled with silence moves the clock on without audio. Confined to the connection's thread.
 */
public final class ParticipantFeed implements AutoCloseable {
    /** Silence is pushed in frames of at most this many samples (100 ms), like real audio. */
    private static final int MAX_SILENCE_FRAME = PcmFrame.SAMPLE_RATE / 10;

    private final ParticipantAudio audio;
    private long mediaTime;
    private boolean closed;

    public ParticipantFeed(ParticipantAudio audio) {
        this.audio = audio;
    }

    public String participantId() {
        return audio.participantId();
    }

    /** Position of the next sample, in 16 kHz samples since this participant's stream started. */
    public long mediaTime() {
        return mediaTime;
    }

    public boolean isClosed() {
        return closed;
    }

    /** Pushes samples (ownership passes to the sink) at the current media time. */
    public void push(short[] samples, PcmFrame.Kind kind) {
        if (closed || samples.length == 0) return;
        audio.push(new PcmFrame(samples, mediaTime, kind));
        mediaTime += samples.length;
    }

    /** Pushes {@code samples} of silence standing in for a gap. */
    public void silence(long samples) {
        long left = samples;
        while (left > 0 && !closed) {
            int n = (int) Math.min(left, MAX_SILENCE_FRAME);
            push(new short[n], PcmFrame.Kind.SILENCE);
            left -= n;
        }
    }

    /**
     * Covers a gap: up to {@code maxSilence} samples of it with silence, the rest by moving the clock on.
     *
     * @return the samples of silence pushed
     */
    public long fillGap(long gap, long maxSilence) {
        if (gap <= 0) return 0;
        long fill = Math.min(gap, Math.max(0, maxSilence));
        silence(fill);
        skip(gap - fill);
        return fill;
    }

    /** Moves the media clock on without audio (a gap longer than worth filling). */
    public void skip(long samples) {
        if (samples > 0) mediaTime += samples;
    }

    /** Ends this participant's audio: the sink recognises what is pending and delivers its final. Idempotent. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        audio.close();
    }
}
