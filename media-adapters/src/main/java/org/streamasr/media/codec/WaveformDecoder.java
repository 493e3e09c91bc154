package org.streamasr.media.codec;

/**
 * Base of the sample-by-sample codecs (G.711, G.722, L16): no framing, no native state, concealment by
 * {@link WaveformConcealer}. Subclasses say how many samples a payload holds and convert it.
 */
public abstract class WaveformDecoder implements AudioDecoder {
    private final CodecSpec spec;
    private final int sampleRate;
    private final WaveformConcealer concealer;
    private boolean closed;

    protected WaveformDecoder(CodecSpec spec, int sampleRate) {
        this.spec = spec;
        this.sampleRate = sampleRate;
        this.concealer = new WaveformConcealer(sampleRate);
    }

    @Override
    public final CodecSpec spec() {
        return spec;
    }

    @Override
    public final int sampleRate() {
        return sampleRate;
    }

    @Override
    public final int decode(byte[] payload, int off, int len, short[] out) {
        if (closed) throw new IllegalStateException("decoder closed");
        int n = samplesIn(payload, off, len);
        if (n == UNDECODABLE || n > out.length) return UNDECODABLE;
        convert(payload, off, len, out);
        concealer.remember(out, 0, n);
        return n;
    }

    /** Converts a payload already checked by {@link #samplesIn} into {@code out} from index 0. */
    protected abstract void convert(byte[] payload, int off, int len, short[] out);

    @Override
    public final int conceal(short[] out, int samples) {
        if (closed) throw new IllegalStateException("decoder closed");
        return concealer.conceal(out, samples);
    }

    @Override
    public final void close() {
        closed = true;
    }
}
