package org.streamasr.media.codec;

/**
 * Linear 16-bit PCM in network byte order (big-endian, RFC 3551 §4.5.11), any rate and channel count; channels are
 * averaged to mono. Output rate is the RTP clock rate.
 */
public final class L16Decoder extends WaveformDecoder {
    private final int channels;
    private final int frameBytes;

    public L16Decoder(CodecSpec spec) {
        super(check(spec), spec.clockRate());
        this.channels = spec.channels();
        this.frameBytes = 2 * channels;
    }

    private static CodecSpec check(CodecSpec spec) {
        if (spec.codec() != AudioCodec.L16) throw new IllegalArgumentException("not an L16 spec: " + spec);
        return spec;
    }

    @Override
    public int samplesIn(byte[] payload, int off, int len) {
        if (len <= 0 || len % frameBytes != 0) return UNDECODABLE;
        return len / frameBytes;
    }

    @Override
    protected void convert(byte[] payload, int off, int len, short[] out) {
        int n = len / frameBytes;
        int p = off;
        if (channels == 1) {
            for (int i = 0; i < n; i++, p += 2) out[i] = (short) ((payload[p] << 8) | (payload[p + 1] & 0xff));
            return;
        }
        for (int i = 0; i < n; i++) {
            int sum = 0;
            for (int c = 0; c < channels; c++, p += 2) sum += (short) ((payload[p] << 8) | (payload[p + 1] & 0xff));
            out[i] = (short) Math.floorDiv(sum, channels);
        }
    }
}
