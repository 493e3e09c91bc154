package org.streamasr.media.g722;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streamasr.media.codec.AudioDecoder;
import org.streamasr.media.wav.WavFile;
import org.streamasr.testing.ExternalTools;
import org.streamasr.testing.SignalMetrics;
import org.streamasr.testing.TestSignals;

class G722DecoderTest {
    static final Path CLIP = Path.of("/usr/share/pocketsphinx/test/data/librivox/sense_and_sensibility_01_austen_64kb-0880.wav");

    @TempDir
    Path dir;

    /** ffmpeg encodes speech to G.722 and decodes it again; ours decodes the same bitstream to the same samples. */
    @Test
    void decodesFfmpegsBitstreamExactlyAsFfmpegDoes() throws Exception {
        ExternalTools.require("ffmpeg");
        Path src = sourceWav();
        Path g722 = dir.resolve("speech.g722");
        Path ref = dir.resolve("ffmpeg.s16");
        ExternalTools.run(60, "ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-i", src.toString(), "-ar", "16000",
                "-ac", "1", "-c:a", "g722", "-f", "g722", g722.toString());
        ExternalTools.run(60, "ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-f", "g722", "-i", g722.toString(),
                "-f", "s16le", "-ar", "16000", ref.toString());
        byte[] bits = Files.readAllBytes(g722);
        short[] ffmpeg = readS16(ref);
        short[] ours = decodeInPackets(bits, 160);
        int n = Math.min(ours.length, ffmpeg.length);
        int differing = 0;
        int maxDiff = 0;
        for (int i = 0; i < n; i++) {
            int d = Math.abs(ours[i] - ffmpeg[i]);
            if (d != 0) differing++;
            maxDiff = Math.max(maxDiff, d);
        }
        short[] source = WavFile.read(src).mono();
        SignalMetrics.Alignment vsSource = SignalMetrics.align(source, ours, 100);
        System.out.printf("G.722 ours vs ffmpeg decoder: %d samples, %d differ (max |diff| %d); ours vs source: %s%n",
                n, differing, maxDiff, vsSource);
        assertEquals(bits.length * 2, ours.length, "two samples per byte");
        assertTrue(Math.abs(ffmpeg.length - ours.length) <= 2, "lengths " + ffmpeg.length + " / " + ours.length);
        assertEquals(0, differing, "bit-exact with ffmpeg's ITU-conformant decoder");
        assertTrue(vsSource.snrDb() > 15, "and close to the source: " + vsSource);
    }

    @Test
    void badInputThenGoodInputStillWorks() {
        Random rnd = new Random(3);
        byte[] good = new byte[160];
        rnd.nextBytes(good);
        try (G722Decoder a = new G722Decoder(); G722Decoder b = new G722Decoder()) {
            short[] out = new short[320];
            assertEquals(AudioDecoder.UNDECODABLE, a.decode(new byte[0], 0, 0, out));
            assertEquals(AudioDecoder.UNDECODABLE, a.decode(new byte[161], 0, 161, out), "larger than out");
            assertEquals(320, a.decode(good, 0, 160, out));
            short[] fresh = new short[320];
            assertEquals(320, b.decode(good, 0, 160, fresh));
            assertEquals(java.util.Arrays.toString(fresh), java.util.Arrays.toString(out),
                    "rejected input left no trace in the decoder state");
            // arbitrary bytes are all valid G.722 codes: the output stays bounded
            byte[] junk = new byte[160];
            for (int i = 0; i < 200; i++) {
                rnd.nextBytes(junk);
                assertEquals(320, a.decode(junk, 0, 160, out));
            }
        }
    }

    private short[] decodeInPackets(byte[] bits, int packet) {
        short[] out = new short[bits.length * 2];
        short[] buf = new short[packet * 2];
        int pos = 0;
        try (G722Decoder d = new G722Decoder()) {
            for (int off = 0; off < bits.length; off += packet) {
                int len = Math.min(packet, bits.length - off);
                int n = d.decode(bits, off, len, buf);
                System.arraycopy(buf, 0, out, pos, n);
                pos += n;
            }
        }
        return out;
    }

    private Path sourceWav() throws Exception {
        if (Files.exists(CLIP)) return CLIP;
        // self-contained fallback: a synthetic voiced signal
        short[] x = TestSignals.voiced(16_000, 32_000, 5000);
        Path p = dir.resolve("synthetic.wav");
        new WavFile(16_000, 1, x).write(p);
        return p;
    }

    static short[] readS16(Path p) throws Exception {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(p)).order(ByteOrder.LITTLE_ENDIAN);
        short[] s = new short[b.remaining() / 2];
        b.asShortBuffer().get(s);
        return s;
    }
}
