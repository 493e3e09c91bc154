package org.streamasr.media.codec;

/**
 * Linear 16-bit PCM in network byte order (big-endian, RFC 3551 §4.5.11), any rate and channel count; channels are
 * averaged to mono. Output rate is the RTP clock rate.
 */
public final class L16Decoder implements AudioDecoder {
    private final CodecSpec spec;
    private final int frameBytes;
    private final WaveformConcealer concealer;
    private boolean closed;

    public L16Decoder(CodecSpec spec) {
        if (spec.codec() != AudioCodec.L16) throw new IllegalArgumentException("not an L16 spec: " + spec);
        this.spec = spec;
        this.frameBytes = 2 * spec.channels();
        this.concealer = new WaveformConcealer(spec.clockRate());
    }

    @Override
    public CodecSpec spec() {
        return spec;
    }

    @Override
    public int sampleRate() {
        return spec.clockRate();
    }

    @Override
    public int samplesIn(byte[] payload, int off, int len) {
        if (len <= 0 || len % frameBytes != 0) return UNDECODABLE;
        return len / frameBytes;
    }

    @Override
    public int decode(byte[] payload, int off, int len, short[] out) {
        checkOpen();
        int n = samplesIn(payload, off, len);
        if (n == UNDECODABLE || n > out.length) return UNDECODABLE;
        int channels = spec.channels();
        int p = off;
        if (channels == 1) {
            for (int i = 0; i < n; i++, p += 2) out[i] = (short) ((payload[p] << 8) | (payload[p + 1] & 0xff));
        } else {
            for (int i = 0; i < n; i++) {
                int sum = 0;
                for (int c = 0; c < channels; c++, p += 2) sum += (short) ((payload[p] << 8) | (payload[p + 1] & 0xff));
                out[i] = (short) Math.floorDiv(sum, channels);
            }
        }
        concealer.remember(out, 0, n);
        return n;
    }

    @Override
    public int conceal(short[] out, int samples) {
        checkOpen();
        return concealer.conceal(out, samples);
    }

    @Override
    public void close() {
        closed = true;
    }

    private void checkOpen() {
        if (closed) throw new IllegalStateException("decoder closed");
    }
}
