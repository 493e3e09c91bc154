package org.streamasr.media.codec;

import org.streamasr.media.PcmFrame;
import org.streamasr.media.g711.G711Decoder;
import org.streamasr.media.g722.G722Decoder;
import org.streamasr.media.opus.OpusFrameDecoder;

/** Opens the decoder for a codec. Each call returns a new decoder with its own state; the caller closes it. */
public final class AudioDecoders {
    private AudioDecoders() {
    }

    /**
     * A decoder at the codec's natural output rate: Opus at 16 kHz (libopus decodes straight to it), G.722 at
     * 16 kHz, G.711 at 8 kHz, L16 at its clock rate. Mono in every case.
     */
    public static AudioDecoder open(CodecSpec spec) {
        return switch (spec.codec()) {
            case OPUS -> new OpusFrameDecoder(PcmFrame.SAMPLE_RATE);
            case PCMU, PCMA -> new G711Decoder(spec.codec());
            case G722 -> new G722Decoder();
            case L16 -> new L16Decoder(spec);
        };
    }
}
