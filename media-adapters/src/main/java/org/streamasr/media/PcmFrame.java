package org.streamasr.media;

/**
 * One piece of 16 kHz mono signed 16-bit PCM on its way from a media adapter to an ASR stream.
 *
 * <p>Ownership passes with the frame: whoever pushes it must not touch {@code samples} afterwards, so the
 * receiving side may keep the array without copying (one owner per frame, copy at thread hand-offs).
 *
 * @param samples           16 kHz mono samples
 * @param mediaTimeSamples  position of the first sample on the participant's media clock, in 16 kHz samples since
 *                          the participant's stream started (gaps in the clock are real gaps in the audio)
 * @param kind              whether the samples are received audio, concealment, or silence inserted for a gap
 * @param senderLevel       the level the sender measured for these samples (RFC 6464, RTP only, when negotiated), or
 *                          {@link AudioLevel#NONE}
 */
public record PcmFrame(short[] samples, long mediaTimeSamples, Kind kind, AudioLevel senderLevel) {
    public static final int SAMPLE_RATE = 16_000;

    public enum Kind {
        /** Decoded from received media. */
        AUDIO,
        /** Synthesised by packet-loss concealment or FEC recovery. */
        CONCEALED,
        /** Silence standing in for a gap (DTX, a long loss, a paused sender). */
        SILENCE
    }

    public PcmFrame {
        if (samples == null) throw new IllegalArgumentException("samples must not be null");
        if (mediaTimeSamples < 0) throw new IllegalArgumentException("mediaTimeSamples must be >= 0");
        if (kind == null) throw new IllegalArgumentException("kind must not be null");
        if (senderLevel == null) throw new IllegalArgumentException("senderLevel must not be null (AudioLevel.NONE)");
    }

    /** A frame without a sender-measured level. */
    public PcmFrame(short[] samples, long mediaTimeSamples, Kind kind) {
        this(samples, mediaTimeSamples, kind, AudioLevel.NONE);
    }

    public static PcmFrame audio(short[] samples, long mediaTimeSamples) {
        return new PcmFrame(samples, mediaTimeSamples, Kind.AUDIO);
    }

    /** The same frame placed at another media time (the samples array passes with it). */
    public PcmFrame withMediaTime(long samplesPosition) {
        return new PcmFrame(samples, samplesPosition, kind, senderLevel);
    }

    /** Media time of the first sample in milliseconds. */
    public long mediaTimeMillis() {
        return mediaTimeSamples * 1000 / SAMPLE_RATE;
    }

    public double durationMillis() {
        return samples.length * 1000.0 / SAMPLE_RATE;
    }
}
