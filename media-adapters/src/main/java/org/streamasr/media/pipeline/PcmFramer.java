package org.streamasr.media.pipeline;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.streamasr.runtime.DropCounter;
import org.streamasr.media.PcmFrame;

/**
 * Turns 16 kHz blocks into {@link PcmFrame}s stamped with the participant's media time: one frame per segment,
 * long segments cut into frames of at most {@value #MAX_FRAME_MS} ms (every kind for RTP; only silence for the
 * stream protocols, whose messages stay one frame each, as they arrived). Each frame keeps its segment's kind and
 * sender level; a segment's {@code skipBefore} moves the clock on first.
 */
public final class PcmFramer extends Stage<AudioBlock, List<PcmFrame>> {
    static final int MAX_FRAME_MS = 100;
    private static final int MAX_FRAME = PcmFrame.SAMPLE_RATE * MAX_FRAME_MS / 1000;
    private final MediaTimeline timeline;
    private final boolean cutSilenceOnly;

    /** A framer that cuts every long segment (RTP). */
    public PcmFramer(MediaTimeline timeline, DropCounter drops) {
        this(timeline, drops, false);
    }

    private PcmFramer(MediaTimeline timeline, DropCounter drops, boolean cutSilenceOnly) {
        super("frame", drops);
        this.timeline = timeline;
        this.cutSilenceOnly = cutSilenceOnly;
    }

    /** A framer that cuts only silence: audio and concealment keep the size they were received or made in. */
    public static PcmFramer cuttingSilenceOnly(MediaTimeline timeline, DropCounter drops) {
        return new PcmFramer(timeline, drops, true);
    }

    @Override
    protected List<PcmFrame> transform(AudioBlock block) {
        if (block.sampleRate() != PcmFrame.SAMPLE_RATE) {
            drops().drop("rate-mismatch", "frames must be 16 kHz, got " + block.sampleRate());
            return null;
        }
        List<PcmFrame> frames = new ArrayList<>(block.segments().size());
        for (AudioSegment s : block.segments()) {
            timeline.skip(s.skipBefore());
            short[] x = s.samples();
            if (x.length <= MAX_FRAME || (cutSilenceOnly && s.kind() != PcmFrame.Kind.SILENCE)) {
                if (x.length > 0) frames.add(new PcmFrame(x, timeline.advance(x.length), s.kind(), s.senderLevel()));
                continue;
            }
            for (int off = 0; off < x.length; off += MAX_FRAME) {
                short[] part = Arrays.copyOfRange(x, off, Math.min(x.length, off + MAX_FRAME));
                frames.add(new PcmFrame(part, timeline.advance(part.length), s.kind(), s.senderLevel()));
            }
        }
        return frames;
    }
}
