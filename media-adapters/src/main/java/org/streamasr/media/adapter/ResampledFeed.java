package org.streamasr.media.adapter;

import java.util.Arrays;
import org.streamasr.media.PcmFrame;
import org.streamasr.media.resample.StreamingResampler;

/**
 * A {@link ParticipantFeed} fed at any rate: audio, concealment and silence all go through the participant's one
 * streaming resampler (never 20 ms chunks resampled independently) and come out at 16 kHz. At the source rate of
 * 16 kHz it is a pass-through. Confined to the connection's thread.
 */
public final class ResampledFeed implements AutoCloseable {
    private static final int SILENCE_CHUNK_MS = 100;

    private final ParticipantFeed feed;
    private final int inputRate;
    private final StreamingResampler resampler;

    public ResampledFeed(ParticipantFeed feed, int inputRate) {
        this.feed = feed;
        this.inputRate = inputRate;
        this.resampler = StreamingResampler.create(inputRate, PcmFrame.SAMPLE_RATE);
    }

    public int inputRate() {
        return inputRate;
    }

    public ParticipantFeed feed() {
        return feed;
    }

    /** Pushes {@code len} samples at the input rate. The array is not kept (a pass-through copies it). */
    public void push(short[] in, int off, int len, PcmFrame.Kind kind) {
        if (len <= 0 || feed.isClosed()) return;
        if (resampler.isPassthrough()) {
            feed.push(Arrays.copyOfRange(in, off, off + len), kind);
            return;
        }
        short[] out = new short[resampler.maxOutput(len)];
        int n = resampler.process(in, off, len, out);
        feed.push(n == out.length ? out : Arrays.copyOf(out, n), kind);
    }

    /** Pushes {@code samples} (at the input rate) of silence. */
    public void silence(long samples) {
        int chunk = inputRate * SILENCE_CHUNK_MS / 1000;
        short[] zeros = new short[chunk];
        long left = samples;
        while (left > 0 && !feed.isClosed()) {
            int n = (int) Math.min(left, chunk);
            push(zeros, 0, n, PcmFrame.Kind.SILENCE);
            left -= n;
        }
    }

    /**
     * Covers a gap of {@code gap} input samples: up to {@code maxSilence} of it with silence, the rest by moving the
     * media clock on.
     *
     * @return the input samples of silence pushed
     */
    public long fillGap(long gap, long maxSilence) {
        if (gap <= 0) return 0;
        long fill = Math.min(gap, Math.max(0, maxSilence));
        silence(fill);
        feed.skip((gap - fill) * PcmFrame.SAMPLE_RATE / inputRate);
        return fill;
    }

    /**
     * Pushes what the resampler still holds back (its look-ahead), when the input ends or changes rate; the feed
     * stays open. Nothing may be pushed through this instance afterwards.
     */
    public void flush() {
        if (feed.isClosed() || resampler.isPassthrough()) return;
        short[] tail = new short[resampler.maxOutput(0)];
        int n = resampler.flush(tail);
        if (n > 0) feed.push(Arrays.copyOf(tail, n), PcmFrame.Kind.AUDIO);
    }

    /** Ends the participant's audio: the resampler's held-back tail goes out, then the feed closes. */
    @Override
    public void close() {
        flush();
        feed.close();
    }
}
