package org.streamasr.media.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.streamasr.media.g711.G711;
import org.streamasr.media.opus.OpusFrameDecoder;
import org.streamasr.testing.LeakCheckExtension;
import org.streamasr.testing.SignalMetrics;

class AudioDecodersTest {

    @BeforeAll
    static void track() {
        LeakCheckExtension.track("opus decoders", OpusFrameDecoder::openCount);
    }

    @Test
    void everyCodecOpensAtItsNaturalRateAndAt16k() {
        for (AudioCodec c : AudioCodec.values()) {
            try (AudioDecoder d = AudioDecoders.open(CodecSpec.of(c)); AudioDecoder d16 = AudioDecoders.openAt16k(CodecSpec.of(c))) {
                int natural = switch (c) {
                    case PCMU, PCMA -> 8_000;
                    default -> 16_000;
                };
                assertEquals(natural, d.sampleRate(), c.name());
                assertEquals(16_000, d16.sampleRate(), c.name());
            }
        }
    }

    @Test
    void l16IsBigEndianAndStereoIsMixedDown() {
        try (L16Decoder d = new L16Decoder(CodecSpec.l16(44_100, 2))) {
            byte[] p = {0x12, 0x34, 0x00, 0x02, (byte) 0xff, (byte) 0xfe, (byte) 0xff, (byte) 0xfc};
            short[] out = new short[2];
            assertEquals(2, d.decode(p, 0, p.length, out));
            assertEquals((0x1234 + 2) / 2, out[0]);
            assertEquals(-3, out[1]);
            assertEquals(AudioDecoder.UNDECODABLE, d.decode(p, 0, 7, out), "odd length: not whole frames");
            assertEquals(AudioDecoder.UNDECODABLE, d.decode(p, 0, 0, out));
            assertEquals(2, d.decode(p, 0, p.length, out), "still decodes after bad input");
        }
    }

    @Test
    void pcmuAt16kIsUpsampledContinuouslyAcrossPackets() {
        short[] tone = new short[8000];
        for (int i = 0; i < tone.length; i++) tone[i] = (short) (9000 * Math.sin(2 * Math.PI * 440 * i / 8000.0));
        short[] out = new short[16_000 + 400];
        int pos = 0;
        try (AudioDecoder d = AudioDecoders.openAt16k(CodecSpec.of(AudioCodec.PCMU))) {
            short[] buf = new short[d.samplesIn(new byte[160], 0, 160)];
            for (int off = 0; off < tone.length; off += 160) {
                byte[] p = new byte[160];
                for (int i = 0; i < 160; i++) p[i] = G711.linearToUlaw(tone[off + i]);
                int n = d.decode(p, 0, 160, buf);
                System.arraycopy(buf, 0, out, pos, n);
                pos += n;
            }
            ResamplingDecoder rd = (ResamplingDecoder) d;
            short[] tail = new short[rd.maxDrain()];
            int n = rd.drain(tail);
            System.arraycopy(tail, 0, out, pos, n);
            pos += n;
        }
        assertEquals(16_000, pos, "two output samples per input sample once drained");
        short[] ideal = new short[16_000];
        for (int i = 0; i < ideal.length; i++) ideal[i] = (short) (9000 * Math.sin(2 * Math.PI * 440 * i / 16000.0));
        SignalMetrics.Alignment a = SignalMetrics.align(ideal, java.util.Arrays.copyOf(out, pos), 4);
        assertEquals(0, a.lag(), "no delay: " + a);
        assertTrue(a.snrDb() > 30, "µ-law quantisation bounds the SNR: " + a);
    }

    @Test
    void specsRejectImpossibleClocks() {
        assertThrows(IllegalArgumentException.class, () -> new CodecSpec(AudioCodec.OPUS, 16_000, 1));
        assertThrows(IllegalArgumentException.class, () -> new CodecSpec(AudioCodec.G722, 16_000, 1));
        assertThrows(IllegalArgumentException.class, () -> CodecSpec.l16(16_000, 0));
        assertEquals(AudioCodec.PCMU, AudioCodec.byName("ulaw").orElseThrow());
        assertEquals(AudioCodec.G722, AudioCodec.byStaticPayloadType(9).orElseThrow());
        assertEquals("opus/48000/2", CodecSpec.of(AudioCodec.OPUS).toString());
    }
}
