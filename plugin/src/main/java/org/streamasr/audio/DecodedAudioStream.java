package org.streamasr.audio;

import java.io.Closeable;
import java.io.IOException;

/**
 * 16 kHz mono audio as it is decoded, read a buffer at a time: the hosted API feeds it to an engine stream as it
 * comes, so a long input never sits decoded in memory or on disk. Reading past the duration limit fails with
 * {@link AudioTooLongException} and stops the decoder there. Close it to stop decoding (from any thread).
 */
public interface DecodedAudioStream extends Closeable {
    /**
     * Reads up to {@code length} samples (floats in [-1, 1)).
     *
     * @return the number read, or -1 at the end
     */
    int read(float[] samples, int offset, int length) throws IOException, UndecodableAudioException;

    /** The number of samples the container states, or -1 when it states none. */
    long statedSamples();

    @Override
    void close();
}
