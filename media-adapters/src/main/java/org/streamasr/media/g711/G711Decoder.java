package org.streamasr.media.g711;

import org.streamasr.media.codec.AudioCodec;
import org.streamasr.media.codec.AudioDecoder;
import org.streamasr.media.codec.CodecSpec;
import org.streamasr.media.codec.WaveformConcealer;

/** PCMU or PCMA payloads to 8 kHz PCM, with pitch-repeat concealment for losses. */
public final class G711Decoder implements AudioDecoder {
    private final CodecSpec spec;
    private final boolean ulaw;
    private final WaveformConcealer concealer = new WaveformConcealer(8_000);
    private boolean closed;

    public G711Decoder(AudioCodec codec) {
        if (codec != AudioCodec.PCMU && codec != AudioCodec.PCMA) throw new IllegalArgumentException("not G.711: " + codec);
        this.spec = CodecSpec.of(codec);
        this.ulaw = codec == AudioCodec.PCMU;
    }

    @Override
    public CodecSpec spec() {
        return spec;
    }

    @Override
    public int sampleRate() {
        return 8_000;
    }

    @Override
    public int samplesIn(byte[] payload, int off, int len) {
        return len > 0 ? len : UNDECODABLE;
    }

    @Override
    public int decode(byte[] payload, int off, int len, short[] out) {
        if (closed) throw new IllegalStateException("decoder closed");
        if (len <= 0 || len > out.length) return UNDECODABLE;
        if (ulaw) {
            for (int i = 0; i < len; i++) out[i] = G711.ulawToLinear(payload[off + i]);
        } else {
            for (int i = 0; i < len; i++) out[i] = G711.alawToLinear(payload[off + i]);
        }
        concealer.remember(out, 0, len);
        return len;
    }

    @Override
    public int conceal(short[] out, int samples) {
        if (closed) throw new IllegalStateException("decoder closed");
        return concealer.conceal(out, samples);
    }

    @Override
    public void close() {
        closed = true;
    }
}
