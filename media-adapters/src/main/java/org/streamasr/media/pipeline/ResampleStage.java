package org.streamasr.media.pipeline;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.streamasr.media.AudioLevel;
import org.streamasr.runtime.DropCounter;
import org.streamasr.media.PcmFrame;
import org.streamasr.media.resample.StreamingResampler;

/**
 * Brings decoded audio to 16 kHz with one {@link StreamingResampler} per stream, so filter state carries across
 * packets and across segment kinds (concealment and silence go through the same filter as audio, keeping the
 * output continuous). A pass-through when the input is already 16 kHz.
 *
 * <p>A block at another rate (the sender switched codec) flushes the current filter and starts one for the new rate.
 *
 * <p>Because the filter looks ahead a few milliseconds, each output segment keeps the kind and sender level of the
 * input segment that completed it; at the end of the stream {@link #flush} emits the held-back tail.
 */
public final class ResampleStage extends Stage<AudioBlock, AudioBlock> {
    private int inRate;
    private StreamingResampler resampler;
    private short[] buf = new short[0];
    private PcmFrame.Kind lastKind = PcmFrame.Kind.AUDIO;
    private AudioLevel lastLevel = AudioLevel.NONE;

    public ResampleStage(int inRate, DropCounter drops) {
        super("resample", drops);
        this.inRate = inRate;
        this.resampler = StreamingResampler.create(inRate, PcmFrame.SAMPLE_RATE);
    }

    @Override
    protected AudioBlock transform(AudioBlock block) {
        if (block.sampleRate() != inRate) {
            // the sender switched codec: finish the old rate's filter, then continue at the new rate
            flush();
            inRate = block.sampleRate();
            resampler = StreamingResampler.create(inRate, PcmFrame.SAMPLE_RATE);
        }
        if (resampler.isPassthrough()) return block;
        List<AudioSegment> out = new ArrayList<>(block.segments().size());
        for (AudioSegment s : block.segments()) {
            ensure(resampler.maxOutput(s.length()));
            int n = resampler.process(s.samples(), 0, s.length(), buf);
            long skip = s.skipBefore() * PcmFrame.SAMPLE_RATE / inRate;
            if (n > 0 || skip > 0) out.add(new AudioSegment(Arrays.copyOf(buf, n), s.kind(), s.senderLevel(), skip));
            lastKind = s.kind();
            lastLevel = s.senderLevel();
        }
        return new AudioBlock(PcmFrame.SAMPLE_RATE, out);
    }

    /**
     * Emits what the filter holds and starts a fresh one for {@code rate} (the sender changed format: the new audio
     * must not be filtered together with the old).
     */
    public void restart(int rate) {
        flush();
        inRate = rate;
        resampler = StreamingResampler.create(rate, PcmFrame.SAMPLE_RATE);
    }

    /** End of stream: emits the held-back tail. */
    @Override
    public void finish() {
        flush();
    }

    /** Emits the samples still inside the filter (end of stream). */
    public void flush() {
        if (resampler.isPassthrough()) return;
        ensure(resampler.maxOutput(0));
        int n = resampler.flush(buf);
        if (n > 0) emit(new AudioBlock(PcmFrame.SAMPLE_RATE, List.of(new AudioSegment(Arrays.copyOf(buf, n), lastKind, lastLevel))));
    }

    private void ensure(int n) {
        if (buf.length < n) buf = new short[n];
    }
}
