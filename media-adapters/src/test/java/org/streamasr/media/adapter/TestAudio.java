package org.streamasr.media.adapter;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;
import org.streamasr.media.resample.StreamingResampler;
import org.streamasr.media.wav.WavFile;

/** Recorded speech for adapter tests (Debian's pocketsphinx-testdata LibriVox clips) and small PCM helpers. */
public final class TestAudio {
    public static final Path LIBRIVOX = Path.of("/usr/share/pocketsphinx/test/data/librivox");

    private TestAudio() {
    }

    /** A LibriVox clip, 16 kHz mono, cut to at most {@code seconds}. */
    public static short[] clip(String name, double seconds) throws Exception {
        short[] all = WavFile.read(LIBRIVOX.resolve(name)).mono();
        return Arrays.copyOf(all, Math.min(all.length, (int) (seconds * 16_000)));
    }

    public static short[] clip(String name) throws Exception {
        return WavFile.read(LIBRIVOX.resolve(name)).mono();
    }

    /** The whole signal through one streaming resampler, flushed. */
    public static short[] resample(short[] in, int from, int to) {
        StreamingResampler r = StreamingResampler.create(from, to);
        short[] out = new short[r.maxOutput(in.length) + r.maxOutput(0)];
        int n = r.process(in, 0, in.length, out);
        short[] tail = new short[r.maxOutput(0)];
        int k = r.flush(tail);
        System.arraycopy(tail, 0, out, n, k);
        return Arrays.copyOf(out, n + k);
    }

    /** Samples {@code [from, to)} as 16-bit little-endian bytes. */
    public static byte[] le(short[] samples, int from, int to) {
        ByteBuffer b = ByteBuffer.allocate((to - from) * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = from; i < to; i++) b.putShort(samples[i]);
        return b.array();
    }
}
