package org.streamasr.media.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.streamasr.media.opus.OpusFrameDecoder;
import org.streamasr.testing.LeakCheckExtension;

class AudioDecodersTest {

    @BeforeAll
    static void track() {
        LeakCheckExtension.track("opus decoders", OpusFrameDecoder::openCount);
    }

    @Test
    void everyCodecOpensAtItsNaturalRate() {
        for (AudioCodec c : AudioCodec.values()) {
            try (AudioDecoder d = AudioDecoders.open(CodecSpec.of(c))) {
                int natural = switch (c) {
                    case PCMU, PCMA -> 8_000;
                    default -> 16_000;
                };
                assertEquals(natural, d.sampleRate(), c.name());
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
    void specsRejectImpossibleClocks() {
        assertThrows(IllegalArgumentException.class, () -> new CodecSpec(AudioCodec.OPUS, 16_000, 1));
        assertThrows(IllegalArgumentException.class, () -> new CodecSpec(AudioCodec.G722, 16_000, 1));
        assertThrows(IllegalArgumentException.class, () -> CodecSpec.l16(16_000, 0));
        assertEquals(AudioCodec.PCMU, AudioCodec.byName("ulaw").orElseThrow());
        assertEquals(AudioCodec.G722, AudioCodec.byStaticPayloadType(9).orElseThrow());
        assertEquals("opus/48000/2", CodecSpec.of(AudioCodec.OPUS).toString());
    }
}
