package org.streamasr.media.jitsi;

import java.util.Locale;
import org.streamasr.media.PcmFrame;

/**
 * Creates the decoder for a source's announced format, or {@code null} when the format is not supported. Supported:
 * Opus (what the bridge sends) and, as an extension for other senders, RFC 3551 {@code L16} (big-endian) mono at
 * 16 kHz.
 */
interface PacketDecoders {

    PacketDecoder create(String encoding, int sampleRate, int channels);

    static PacketDecoders standard() {
        return (encoding, sampleRate, channels) -> switch (encoding.toLowerCase(Locale.ROOT)) {
            case "l16" -> sampleRate == PcmFrame.SAMPLE_RATE && channels == 1 ? new L16Decoder() : null;
            default -> null;
        };
    }

    /** Network-order 16-bit PCM already at 16 kHz mono: no state, nothing to conceal with. */
    final class L16Decoder implements PacketDecoder {
        @Override
        public short[] decode(byte[] payload) {
            if (payload.length % 2 != 0) return null;
            short[] out = new short[payload.length / 2];
            for (int i = 0; i < out.length; i++) out[i] = (short) ((payload[2 * i] << 8) | (payload[2 * i + 1] & 0xff));
            return out;
        }

        @Override
        public short[] conceal(int samples, byte[] next) {
            return null;
        }

        @Override
        public int clockRate() {
            return PcmFrame.SAMPLE_RATE;
        }

        @Override
        public void close() {
        }
    }
}
