package org.streamasr.media.codec;

import org.streamasr.media.resample.StreamingResampler;

/**
 * A decoder followed by a per-stream {@link StreamingResampler}, so payloads come out at one fixed rate. Owns the
 * wrapped decoder (closing this closes it).
 *
 * <p>The resampler looks ahead a few milliseconds, so the samples of one payload come out partly with the next;
 * {@link #samplesIn} is therefore an upper bound and {@link #drain} returns the held-back tail at the end.
 */
public final class ResamplingDecoder implements AudioDecoder {
    private final AudioDecoder inner;
    private final StreamingResampler resampler;
    private final int rate;
    private short[] scratch = new short[960];

    public ResamplingDecoder(AudioDecoder inner, int outputRate) {
        this.inner = inner;
        this.rate = outputRate;
        this.resampler = StreamingResampler.create(inner.sampleRate(), outputRate);
    }

    @Override
    public CodecSpec spec() {
        return inner.spec();
    }

    @Override
    public int sampleRate() {
        return rate;
    }

    @Override
    public int samplesIn(byte[] payload, int off, int len) {
        int n = inner.samplesIn(payload, off, len);
        return n == UNDECODABLE ? UNDECODABLE : resampler.maxOutput(n);
    }

    @Override
    public int decode(byte[] payload, int off, int len, short[] out) {
        int n = inner.samplesIn(payload, off, len);
        if (n == UNDECODABLE || resampler.maxOutput(n) > out.length) return UNDECODABLE;
        ensureScratch(n);
        int got = inner.decode(payload, off, len, scratch);
        if (got == UNDECODABLE) return UNDECODABLE;
        return resampler.process(scratch, 0, got, out);
    }

    @Override
    public int conceal(short[] out, int samples) {
        int in = (int) ((long) samples * inner.sampleRate() / rate);
        ensureScratch(in);
        inner.conceal(scratch, in);
        return resampler.process(scratch, 0, in, out);
    }

    /** The samples still held by the resampler's look-ahead, at the end of the stream. */
    public int drain(short[] out) {
        return resampler.flush(out);
    }

    /** Upper bound on {@link #drain}'s output. */
    public int maxDrain() {
        return resampler.maxOutput(0);
    }

    @Override
    public void close() {
        inner.close();
    }

    private void ensureScratch(int n) {
        if (scratch.length < n) scratch = new short[n];
    }
}
