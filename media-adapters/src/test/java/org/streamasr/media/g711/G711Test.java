package org.streamasr.media.g711;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;
import org.junit.jupiter.api.Test;
import org.streamasr.media.codec.AudioCodec;
import org.streamasr.media.codec.AudioDecoder;

class G711Test {

    @Test
    void expansionMatchesTheJdkForAllCodes() throws Exception {
        for (AudioFormat.Encoding enc : new AudioFormat.Encoding[] {AudioFormat.Encoding.ULAW, AudioFormat.Encoding.ALAW}) {
            byte[] codes = new byte[256];
            for (int i = 0; i < 256; i++) codes[i] = (byte) i;
            AudioFormat src = new AudioFormat(enc, 8000, 8, 1, 1, 8000, false);
            AudioFormat dst = new AudioFormat(AudioFormat.Encoding.PCM_SIGNED, 8000, 16, 1, 2, 8000, false);
            AudioInputStream in = new AudioInputStream(new ByteArrayInputStream(codes), src, 256);
            byte[] pcm = AudioSystem.getAudioInputStream(dst, in).readAllBytes();
            ByteBuffer b = ByteBuffer.wrap(pcm).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < 256; i++) {
                short jdk = b.getShort(2 * i);
                short ours = enc == AudioFormat.Encoding.ULAW ? G711.ulawToLinear((byte) i) : G711.alawToLinear((byte) i);
                assertEquals(jdk, ours, enc + " code " + i);
            }
        }
    }

    @Test
    void compressionRoundTripsEveryCodeAndStaysWithinHalfAStep() {
        for (int i = 0; i < 256; i++) {
            short u = G711.ulawToLinear((byte) i);
            assertEquals(G711.ulawToLinear(G711.linearToUlaw(u)), u, "ulaw code " + i);
            short a = G711.alawToLinear((byte) i);
            assertEquals(a, G711.alawToLinear(G711.linearToAlaw(a)), "alaw code " + i);
        }
        for (int x = -32768; x <= 32767; x += 7) {
            short s = (short) x;
            int errU = Math.abs(G711.ulawToLinear(G711.linearToUlaw(s)) - x);
            int errA = Math.abs(G711.alawToLinear(G711.linearToAlaw(s)) - x);
            // the step at the top segment is 1024 (µ-law) and 1024 (A-law), so half a step is 512 plus clipping
            assertTrue(errU <= Math.max(1024, Math.abs(x) / 16 + 8), "ulaw error " + errU + " at " + x);
            assertTrue(errA <= Math.max(1024, Math.abs(x) / 16 + 8), "alaw error " + errA + " at " + x);
        }
    }

    @Test
    void badInputThenGoodInputStillWorks() {
        try (AudioDecoder d = new G711Decoder(AudioCodec.PCMU)) {
            short[] out = new short[160];
            assertEquals(AudioDecoder.UNDECODABLE, d.decode(new byte[0], 0, 0, out));
            assertEquals(AudioDecoder.UNDECODABLE, d.decode(new byte[400], 0, 400, out), "larger than the output");
            byte[] good = new byte[160];
            for (int i = 0; i < good.length; i++) good[i] = G711.linearToUlaw((short) (8000 * Math.sin(i * 0.3)));
            assertEquals(160, d.decode(good, 0, 160, out));
            assertEquals(G711.ulawToLinear(good[17]), out[17]);
        }
    }

    @Test
    void concealmentContinuesThePitchThenFadesToSilence() {
        try (AudioDecoder d = new G711Decoder(AudioCodec.PCMA)) {
            byte[] tone = new byte[320];
            for (int i = 0; i < tone.length; i++) {
                tone[i] = G711.linearToAlaw((short) (10000 * Math.sin(2 * Math.PI * 200 * i / 8000.0)));
            }
            short[] out = new short[320];
            d.decode(tone, 0, 320, out);
            short[] plc = new short[480];
            d.conceal(plc, 480);
            double early = 0;
            for (int i = 0; i < 40; i++) early += Math.abs(plc[i]);
            assertTrue(early / 40 > 3000, "the first 5 ms continue the tone: mean |x| " + early / 40);
            for (int i = 160; i < 480; i++) assertEquals(0, plc[i], "silent after 20 ms, at " + i);
        }
        G711Decoder closed = new G711Decoder(AudioCodec.PCMU);
        closed.close();
        assertThrows(IllegalStateException.class, () -> closed.decode(new byte[1], 0, 1, new short[1]));
    }
}
