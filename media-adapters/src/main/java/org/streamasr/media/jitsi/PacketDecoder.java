package org.streamasr.media.jitsi;

/**
 * Decodes the audio packets of one source to 16 kHz mono, keeping whatever state the codec needs between packets.
 * Confined to the connection's thread; one owner, closed when the source ends.
 */
interface PacketDecoder extends AutoCloseable {

    /** 16 kHz mono samples of one packet, or {@code null} when the packet cannot be decoded. */
    short[] decode(byte[] payload);

    /**
     * Stands in for {@code samples} of lost audio just before the packet {@code next} (not yet decoded): recovered
     * from {@code next}'s forward error correction where the codec has it, else synthesised by packet-loss
     * concealment. {@code null} when the codec cannot conceal (the caller fills silence).
     */
    short[] conceal(int samples, byte[] next);

    /** Timestamp units per second of this source's packets. */
    int clockRate();

    @Override
    void close();
}
