package org.streamasr.media.ingest;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.streamasr.media.adapter.Pcm16Assembler;

/**
 * Raw interleaved 16-bit PCM at one rate, one participant per channel (mod_audio_fork stereo: caller left, callee
 * right): the parsing an adapter's thread does before each channel's samples go to its {@link ParticipantIngest}.
 * Messages may cut the stream anywhere, even inside a sample. Confined to the connection's thread.
 */
public final class InterleavedPcm {
    private final Pcm16Assembler assembler;
    private final List<ParticipantIngest> channels;
    private final int sampleRate;

    /** @param channels one participant per channel, in channel order */
    public InterleavedPcm(List<ParticipantIngest> channels, int sampleRate, boolean bigEndian) {
        if (channels.isEmpty()) throw new IllegalArgumentException("at least one channel");
        this.assembler = new Pcm16Assembler(channels.size(), bigEndian);
        this.channels = List.copyOf(channels);
        this.sampleRate = sampleRate;
    }

    public int sampleRate() {
        return sampleRate;
    }

    /** Consumes {@code data} (position moves to its limit). */
    public void accept(ByteBuffer data) {
        short[][] samples = assembler.accept(data);
        for (int c = 0; c < samples.length; c++) channels.get(c).onPcm(samples[c], sampleRate);
    }

    /**
     * Consumes one self-contained message (a protocol whose every message holds whole samples, such as AudioSocket or
     * Whisper's frames): a trailing incomplete sample frame is dropped rather than joined with the next message,
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

    /** Ends every channel's audio (finals follow); completes when all are done. Idempotent. */
    public CompletableFuture<Void> close() {
        return ParticipantIngest.closeAll(channels);
    }
}
