package org.streamasr.media.g711;

import org.streamasr.media.codec.AudioCodec;
import org.streamasr.media.codec.CodecSpec;
import org.streamasr.media.codec.WaveformDecoder;

/** PCMU or PCMA payloads to 8 kHz PCM, with pitch-repeat concealment for losses. */
public final class G711Decoder extends WaveformDecoder {
    private final boolean ulaw;

    public G711Decoder(AudioCodec codec) {
        this(codec, 8_000);
    }

    /**
     * G.711 bytes sampled at another rate than the RTP 8 kHz (Deepgram's {@code encoding=mulaw&sample_rate=16000}):
     * one byte per sample, decoded to PCM at {@code sampleRate}.
     */
    public G711Decoder(AudioCodec codec, int sampleRate) {
        super(CodecSpec.of(check(codec)), sampleRate);
        if (sampleRate < 1_000 || sampleRate > CodecSpec.MAX_RATE) {
            throw new IllegalArgumentException("sample rate " + sampleRate + " Hz is out of range 1000.." + CodecSpec.MAX_RATE);
        }
        this.ulaw = codec == AudioCodec.PCMU;
    }

    private static AudioCodec check(AudioCodec codec) {
        if (codec != AudioCodec.PCMU && codec != AudioCodec.PCMA) throw new IllegalArgumentException("not G.711: " + codec);
        return codec;
    }

    @Override
    public int samplesIn(byte[] payload, int off, int len) {
        return len > 0 ? len : UNDECODABLE;
    }

    @Override
    protected void convert(byte[] payload, int off, int len, short[] out) {
        if (ulaw) {
            for (int i = 0; i < len; i++) out[i] = G711.ulawToLinear(payload[off + i]);
        } else {
            for (int i = 0; i < len; i++) out[i] = G711.alawToLinear(payload[off + i]);
        }
    }
}
