package org.streamasr.media.ingest;

/**
 * What a {@link DecodeStage} tells its adapter's counters, in samples at the decoder's rate: each adapter counts in
 * its own units and names (RTP: milliseconds per stream; MEDIAJSON, Twilio: samples per component).
 */
public interface DecodeStats {

    /** A packet decoded into {@code samples} of audio. */
    void decoded(int samples, int rate);

    /** A loss covered by the codec's concealment (PLC, or FEC that could not be recovered). */
    void concealed(long samples, int rate);

    /** The end of a loss recovered from the in-band FEC of the packet that followed it. */
    void recovered(long samples, int rate);

    /** A gap covered with silence. */
    void silence(long samples, int rate);

    /**
     * The timeline was re-based: {@code skipped} samples of a gap were not filled (0 for a sender restart, a codec
     * switch or a timestamp that ran backwards). Only where the stage does not move the media clock instead.
     */
    void rebased(long skipped, int rate);
}
