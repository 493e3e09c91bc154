package org.streamasr.media.codec;

/**
 * A codec with its RTP parameters, as an SDP {@code rtpmap} gives them ({@code opus/48000/2}, {@code PCMU/8000},
 * {@code L16/44100/2}).
 *
 * @param codec     the codec
 * @param clockRate the RTP timestamp clock in Hz (48000 for Opus whatever it codes, 8000 for G.722)
 * @param channels  channels in the payload; decoders always output mono (Opus and L16 mix down)
 */
public record CodecSpec(AudioCodec codec, int clockRate, int channels) {
    /** The largest L16 rate accepted: anything higher is a configuration mistake, not audio. */
    public static final int MAX_RATE = 384_000;
    public static final int MAX_CHANNELS = 8;

    public CodecSpec {
        if (codec == null) throw new IllegalArgumentException("codec must be given");
        if (clockRate < 1_000 || clockRate > MAX_RATE) {
            throw new IllegalArgumentException("clock rate " + clockRate + " Hz is out of range 1000.." + MAX_RATE);
        }
        if (channels < 1 || channels > MAX_CHANNELS) {
            throw new IllegalArgumentException("channel count " + channels + " is out of range 1.." + MAX_CHANNELS);
        }
        if (codec == AudioCodec.OPUS && clockRate != 48_000) {
            throw new IllegalArgumentException("the Opus RTP clock is always 48000 (RFC 7587), not " + clockRate);
        }
        if ((codec == AudioCodec.PCMU || codec == AudioCodec.PCMA || codec == AudioCodec.G722) && clockRate != 8_000) {
            throw new IllegalArgumentException("the " + codec.rtpName() + " RTP clock is 8000, not " + clockRate);
        }
    }

    /** The codec with its default clock and channels ({@code opus/48000/2}, {@code PCMU/8000}, {@code L16/16000}). */
    public static CodecSpec of(AudioCodec codec) {
        return new CodecSpec(codec, codec.defaultClockRate(), codec.defaultChannels());
    }

    /** L16 at a rate and channel count. */
    public static CodecSpec l16(int rate, int channels) {
        return new CodecSpec(AudioCodec.L16, rate, channels);
    }

    /** {@code name/clock[/channels]} as in an SDP rtpmap. */
    @Override
    public String toString() {
        return codec.rtpName() + "/" + clockRate + (channels > 1 ? "/" + channels : "");
    }
}
