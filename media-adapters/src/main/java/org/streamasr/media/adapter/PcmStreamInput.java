package org.streamasr.media.adapter;

import java.nio.ByteBuffer;
import java.util.List;
import org.streamasr.media.PcmFrame;

/**
 * Raw interleaved 16-bit PCM at some rate, one participant per channel (mod_audio_fork stereo: caller left, callee
 * right): bytes in, 16 kHz frames out on each channel's feed. Messages may cut the stream anywhere, even inside a
 * sample. Confined to the connection's thread.
 */
public final class PcmStreamInput implements AutoCloseable {
    private final Pcm16Assembler assembler;
    private final List<ResampledFeed> channels;

    /**
     * @param feeds one feed per channel, in channel order
     */
    public PcmStreamInput(List<ParticipantFeed> feeds, int sampleRate, boolean bigEndian) {
        if (feeds.isEmpty()) throw new IllegalArgumentException("at least one channel");
        this.assembler = new Pcm16Assembler(feeds.size(), bigEndian);
        this.channels = feeds.stream().map(f -> new ResampledFeed(f, sampleRate)).toList();
    }

    public int sampleRate() {
        return channels.get(0).inputRate();
    }

    /** Consumes {@code data} (position moves to its limit). */
    public void accept(ByteBuffer data) {
        short[][] samples = assembler.accept(data);
        for (int c = 0; c < samples.length; c++) {
            short[] s = samples[c];
            if (s.length > 0) channels.get(c).push(s, 0, s.length, PcmFrame.Kind.AUDIO);
        }
    }

    /**
     * Consumes one self-contained message (a protocol whose every message holds whole samples, such as AudioSocket or
     * Skynet's frames): a trailing incomplete sample frame is dropped rather than joined with the next message,
     * which would shift every later sample by a byte.
     *
     * @return the bytes dropped (0 for a well-formed message)
     */
    public int acceptWhole(ByteBuffer data) {
        accept(data);
        return assembler.discardPending();
    }

    /** Bytes of an incomplete sample frame held for the next message. */
    public int pendingBytes() {
        return assembler.pendingBytes();
    }

    /** Pushes what the resamplers hold back, when the input changes rate; the feeds stay open. */
    public void flush() {
        channels.forEach(ResampledFeed::flush);
    }

    /** Ends every channel's audio (finals follow). Idempotent. */
    @Override
    public void close() {
        channels.forEach(ResampledFeed::close);
    }
}
