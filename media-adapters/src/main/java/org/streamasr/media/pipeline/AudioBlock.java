package org.streamasr.media.pipeline;

import java.util.List;

/**
 * What one input (a packet, a media chunk) became after decoding: consecutive segments at one sample rate, e.g.
 * concealment for a loss, then the packet's own audio.
 */
public record AudioBlock(int sampleRate, List<AudioSegment> segments) {
    public AudioBlock {
        segments = List.copyOf(segments);
    }

    public int samples() {
        int n = 0;
        for (AudioSegment s : segments) n += s.length();
        return n;
    }
}
