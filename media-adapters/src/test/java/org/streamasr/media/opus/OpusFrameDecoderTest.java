package org.streamasr.media.opus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.streamasr.media.codec.AudioDecoder;
import org.streamasr.testing.LeakCheckExtension;
import org.streamasr.testing.SignalMetrics;
import org.streamasr.testing.TestSignals;

class OpusFrameDecoderTest {
    static final int RATE = 16_000;
    static final int FRAME = 320;

    @BeforeAll
    static void track() {
        LeakCheckExtension.track("opus decoders", OpusFrameDecoder::openCount);
        LeakCheckExtension.track("opus encoders", OpusFrameEncoder::openCount);
    }

    static short[] voiced(int samples) {
        return TestSignals.voiced(RATE, samples, 6000);
    }

    static List<byte[]> encode(short[] pcm, int bitrate, int fecLoss) {
        List<byte[]> packets = new ArrayList<>();
        try (OpusFrameEncoder enc = new OpusFrameEncoder(RATE, bitrate, fecLoss)) {
            for (int off = 0; off + FRAME <= pcm.length; off += FRAME) packets.add(enc.encode(pcm, off, FRAME));
        }
        return packets;
    }

    @Test
    void decodesStraightTo16kMonoAndMatchesTheSource() {
        short[] src = voiced(RATE * 2);
        List<byte[]> packets = encode(src, 32_000, 0);
        short[] out = new short[src.length];
        int pos = 0;
        try (OpusFrameDecoder dec = new OpusFrameDecoder(RATE)) {
            short[] buf = new short[5760];
            for (byte[] p : packets) {
                assertEquals(FRAME, dec.samplesIn(p, 0, p.length));
                int n = dec.decode(p, 0, p.length, buf);
                assertEquals(FRAME, n);
                System.arraycopy(buf, 0, out, pos, n);
                pos += n;
            }
        }
        SignalMetrics.Alignment a = SignalMetrics.align(src, out, 400);
        System.out.println("opus 32 kbit/s loopback: " + a + " (" + OpusFrameDecoder.libraryVersion() + ")");
        // SILK codes the spectral envelope and pitch, not the phase of every harmonic: 0.85 is typical here
        assertTrue(a.correlation() > 0.8 && Math.abs(a.lag() - 104) < 8, a.toString());
    }

    @Test
    void payloadAtAnOffsetDecodesLikeOneAtZero() {
        short[] src = voiced(FRAME * 4);
        List<byte[]> packets = encode(src, 24_000, 0);
        try (OpusFrameDecoder a = new OpusFrameDecoder(RATE); OpusFrameDecoder b = new OpusFrameDecoder(RATE)) {
            short[] outA = new short[FRAME];
            short[] outB = new short[FRAME];
            for (byte[] p : packets) {
                byte[] shifted = new byte[p.length + 12];
                System.arraycopy(p, 0, shifted, 12, p.length);
                a.decode(p, 0, p.length, outA);
                b.decode(shifted, 12, p.length, outB);
                assertEquals(java.util.Arrays.toString(outA), java.util.Arrays.toString(outB));
            }
        }
    }

    @Test
    void concealmentContinuesTheSignalAndFecRecoversALostPacket() {
        short[] src = voiced(RATE);
        List<byte[]> packets = encode(src, 24_000, 20);
        int withFec = 0;
        for (int i = 1; i < packets.size(); i++) if (OpusPackets.hasFec(packets.get(i), 0, packets.get(i).length)) withFec++;
        assertTrue(withFec > packets.size() / 2, "LBRR in " + withFec + " of " + packets.size() + " packets");

        int lost = 25;
        while (!OpusPackets.hasFec(packets.get(lost + 1), 0, packets.get(lost + 1).length)) lost++;
        short[] buf = new short[5760];
        short[] plcOut = new short[FRAME];
        short[] fecOut = new short[FRAME];
        try (OpusFrameDecoder plc = new OpusFrameDecoder(RATE); OpusFrameDecoder fec = new OpusFrameDecoder(RATE)) {
            for (int i = 0; i < lost; i++) {
                plc.decode(packets.get(i), 0, packets.get(i).length, buf);
                fec.decode(packets.get(i), 0, packets.get(i).length, buf);
            }
            assertEquals(FRAME, plc.conceal(plcOut, FRAME));
            byte[] next = packets.get(lost + 1);
            assertEquals(FRAME, fec.recoverableSamples(next, 0, next.length));
            assertEquals(FRAME, fec.recover(next, 0, next.length, fecOut, FRAME));
            assertEquals(FRAME, fec.decode(next, 0, next.length, buf), "the packet itself still decodes after FEC");
        }
        short[] truth = java.util.Arrays.copyOfRange(src, lost * FRAME, (lost + 1) * FRAME);
        double plcRms = SignalMetrics.rms(plcOut);
        double fecCorr = SignalMetrics.align(truth, fecOut, 40).correlation();
        double plcCorr = SignalMetrics.align(truth, plcOut, 40).correlation();
        System.out.printf("opus loss of one 20 ms packet: PLC correlation %.3f (rms %.0f), FEC correlation %.3f%n",
                plcCorr, plcRms, fecCorr);
        assertTrue(plcRms > 300, "PLC continues the signal instead of going silent");
        assertTrue(fecCorr > 0.8 && fecCorr >= plcCorr - 0.05, "FEC recovers the lost audio: " + fecCorr);
    }

    @Test
    void framingIsReadWithoutDecoding() {
        byte[] celt20 = {(byte) ((31 << 3)), 1, 2};                   // config 31: CELT 20 ms, code 0
        byte[] silk60x2 = {(byte) ((3 << 3) | 1), 1, 2};               // config 3: SILK 60 ms, code 1: 2 frames
        byte[] code3 = {(byte) ((16 << 3) | 3), 4, 0, 0};              // CELT 2.5 ms x 4 frames
        byte[] tooLong = {(byte) ((3 << 3) | 3), 3, 0};                // 3 x 60 ms > 120 ms
        assertEquals(960, OpusPackets.samples48k(celt20, 0, celt20.length));
        assertEquals(5760, OpusPackets.samples48k(silk60x2, 0, silk60x2.length));
        assertEquals(480, OpusPackets.samples48k(code3, 0, code3.length));
        assertEquals(OpusPackets.INVALID, OpusPackets.samples48k(tooLong, 0, tooLong.length));
        assertEquals(OpusPackets.INVALID, OpusPackets.samples48k(new byte[] {3}, 0, 1), "code 3 without count byte");
        assertFalse(OpusPackets.hasFec(celt20, 0, celt20.length), "CELT has no LBRR");
    }

    @Test
    void garbageThenGoodPacketsStillDecode() {
        short[] src = voiced(FRAME * 10);
        List<byte[]> packets = encode(src, 24_000, 0);
        Random rnd = new Random(7);
        try (OpusFrameDecoder dec = new OpusFrameDecoder(RATE)) {
            short[] buf = new short[5760];
            assertEquals(AudioDecoder.UNDECODABLE, dec.decode(new byte[0], 0, 0, buf), "empty payload is not PLC");
            assertEquals(AudioDecoder.UNDECODABLE, dec.decode(new byte[9000], 0, 9000, buf), "oversized");
            assertEquals(AudioDecoder.UNDECODABLE, dec.decode(new byte[] {3}, 0, 1, buf), "truncated code 3");
            assertEquals(AudioDecoder.UNDECODABLE, dec.decode(packets.get(0), 0, packets.get(0).length, new short[10]),
                    "output too small");
            for (int i = 0; i < 200; i++) {
                byte[] junk = new byte[1 + rnd.nextInt(300)];
                rnd.nextBytes(junk);
                int n = dec.decode(junk, 0, junk.length, buf);
                assertTrue(n == AudioDecoder.UNDECODABLE || (n > 0 && n <= 1920), "junk gave " + n);
            }
            for (byte[] p : packets) assertEquals(FRAME, dec.decode(p, 0, p.length, buf));
        }
    }
}
