package org.streamasr.media.pipeline;

import org.streamasr.media.AudioLevel;
import org.streamasr.media.PcmFrame;

/**
 * A run of mono samples of one kind (received, concealed, silence) at the rate of the {@link AudioBlock} holding it.
 * The array is exactly the segment's length and belongs to whoever holds the segment. {@code senderLevel} is the
 * RFC 6464 level of the packet the samples were decoded from ({@link AudioLevel#NONE} when it had none, and for
 * concealment and silence). {@code skipBefore} moves the participant's media clock on by that many samples (at the
 * block's rate) before this segment: a gap longer than worth filling, whose time still passed.
 */
public record AudioSegment(short[] samples, PcmFrame.Kind kind, AudioLevel senderLevel, long skipBefore) {
    public AudioSegment {
        if (samples == null || kind == null || senderLevel == null) {
            throw new IllegalArgumentException("samples, kind and level must be given");
        }
        if (skipBefore < 0) throw new IllegalArgumentException("skipBefore must be >= 0");
    }

    public AudioSegment(short[] samples, PcmFrame.Kind kind, AudioLevel senderLevel) {
        this(samples, kind, senderLevel, 0);
    }

    public AudioSegment(short[] samples, PcmFrame.Kind kind) {
        this(samples, kind, AudioLevel.NONE);
    }

    public static AudioSegment silence(int samples) {
        return new AudioSegment(new short[samples], PcmFrame.Kind.SILENCE);
    }

    public int length() {
        return samples.length;
    }
}
