package org.streamasr.media.pipeline;

import org.streamasr.media.PcmFrame;

/**
 * A run of mono samples of one kind (received, concealed, silence) at the rate of the {@link AudioBlock} holding it.
 * The array is exactly the segment's length and belongs to whoever holds the segment.
 */
public record AudioSegment(short[] samples, PcmFrame.Kind kind) {
    public AudioSegment {
        if (samples == null || kind == null) throw new IllegalArgumentException("samples and kind must be given");
    }

    public static AudioSegment silence(int samples) {
        return new AudioSegment(new short[samples], PcmFrame.Kind.SILENCE);
    }

    public int length() {
        return samples.length;
    }
}
