package org.streamasr.media.codec;

/**
 * Turns the payload of one RTP packet (or one media chunk of a fork protocol) into mono 16-bit PCM at
 * {@link #sampleRate()}.
 *
 * <p>One owner, one thread: a decoder keeps state between packets (prediction, concealment history, native codec
 * state) and is not thread-safe. {@link #close()} releases whatever it holds (native memory for Opus) and is
 * idempotent; using a closed decoder is a programming error ({@link IllegalStateException}).
 *
 * <p>Bad input is a return value, not an exception: a payload that cannot be decoded returns {@link #UNDECODABLE} and
 * leaves the decoder usable for the next packet. The caller counts and drops it.
 */
public interface AudioDecoder extends AutoCloseable {

    /** Returned by {@link #decode} and {@link #samplesIn} for a payload that cannot be decoded. */
    int UNDECODABLE = -1;

    /** What this decodes (codec, RTP clock, channels). */
    CodecSpec spec();

    /** Rate of the samples this decoder writes (not always the RTP clock: Opus decodes to 16 kHz, G.722 clocks 8 kHz). */
    int sampleRate();

    /**
     * How many output samples (at {@link #sampleRate()}) the payload decodes to, without decoding it; or
     * {@link #UNDECODABLE} when its framing is invalid. Use it to size the {@code out} array of {@link #decode}.
     */
    int samplesIn(byte[] payload, int off, int len);

    /**
     * Decodes one payload into {@code out} from index 0.
     *
     * @return the number of samples written, or {@link #UNDECODABLE} (nothing written, state kept)
     */
    int decode(byte[] payload, int off, int len, short[] out);

    /**
     * Synthesises {@code samples} samples for audio that was lost, continuing the signal where the codec can (Opus
     * PLC) and fading to silence where it cannot.
     *
     * @return the number of samples written (always {@code samples})
     */
    int conceal(short[] out, int samples);

    /**
     * Recovers the end of a loss from redundancy carried by the packet that follows it (Opus in-band FEC). Writes
     * {@code samples} samples covering the audio just before {@code nextPayload}, or nothing when the payload carries
     * no redundancy. {@code nextPayload} must still be passed to {@link #decode} afterwards.
     *
     * @return the number of samples recovered: {@code samples}, or 0 when there was nothing to recover from
     */
    default int recover(byte[] nextPayload, int off, int len, short[] out, int samples) {
        return 0;
    }

    /** How many samples {@link #recover} would restore from this payload (0 when it carries no redundancy). */
    default int recoverableSamples(byte[] nextPayload, int off, int len) {
        return 0;
    }

    @Override
    void close();
}
