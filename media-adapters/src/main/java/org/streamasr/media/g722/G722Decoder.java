package org.streamasr.media.g722;

import org.streamasr.media.codec.AudioCodec;
import org.streamasr.media.codec.CodecSpec;
import org.streamasr.media.codec.WaveformDecoder;

/**
 * ITU-T G.722 (64 kbit/s mode, the one RTP uses) decoded in pure Java: each byte holds a 6-bit lower sub-band ADPCM
 * code and a 2-bit higher sub-band code, each decoded to a 8 kHz sub-band sample; the receive QMF recombines the
 * two into two 16 kHz samples. So one byte gives two output samples: 160 bytes, 20 ms, 320 samples, while the RTP
 * timestamp advances 160 (RFC 3551 clocks G.722 at 8000).
 *
 * <p>The block names in comments (INVQAL, LOGSCL, UPPOL2, ...) are those of the Recommendation's functional
 * description (G.722 §3 and §4); the arithmetic is its fixed-point integer arithmetic, so the output is bit-exact
 * with other conforming decoders (the test compares it with ffmpeg's).
 */
public final class G722Decoder extends WaveformDecoder {
    /** 6-bit lower sub-band inverse quantiser output levels (Table 18/G.722, 64 kbit/s), scaled. */
    private static final int[] QM6 = {
        -136, -136, -136, -136, -24808, -21904, -19008, -16704, -14984, -13512, -12280, -11192, -10232, -9360,
        -8576, -7856, -7192, -6576, -6000, -5456, -4944, -4464, -4008, -3576, -3168, -2776, -2400, -2032, -1688,
        -1360, -1040, -728, 24808, 21904, 19008, 16704, 14984, 13512, 12280, 11192, 10232, 9360, 8576, 7856, 7192,
        6576, 6000, 5456, 4944, 4464, 4008, 3576, 3168, 2776, 2400, 2032, 1688, 1360, 1040, 728, 432, 136, -432,
        -136
    };
    /** 4-bit inverse quantiser used for prediction and adaptation in the lower sub-band. */
    private static final int[] QM4 = {
        0, -20456, -12896, -8968, -6288, -4240, -2584, -1200, 20456, 12896, 8968, 6288, 4240, 2584, 1200, 0
    };
    /** 2-bit higher sub-band inverse quantiser. */
    private static final int[] QM2 = {-7408, -1616, 7408, 1616};
    /** Lower sub-band: magnitude index of a 4-bit code, and the log scale-factor multipliers W_L. */
    private static final int[] RL42 = {0, 7, 6, 5, 4, 3, 2, 1, 7, 6, 5, 4, 3, 2, 1, 0};
    private static final int[] WL = {-60, -30, 58, 172, 334, 538, 1198, 3042};
    /** Higher sub-band: magnitude index of a 2-bit code, and W_H. */
    private static final int[] RH2 = {2, 1, 2, 1};
    private static final int[] WH = {0, -214, 798};
    /** Inverse log2 table of the scale factor adaptation (ILB). */
    private static final int[] ILB = {
        2048, 2093, 2139, 2186, 2233, 2282, 2332, 2383, 2435, 2489, 2543, 2599, 2656, 2714, 2774, 2834, 2896, 2960,
        3025, 3091, 3158, 3228, 3298, 3371, 3444, 3520, 3597, 3676, 3756, 3838, 3922, 4008
    };
    /** Receive QMF coefficients (Table 11/G.722), one half of the symmetric 24-tap filter. */
    private static final int[] QMF = {3, -11, 12, 32, -210, 951, 3876, -805, 362, -156, 53, -11};

    private final Band low = new Band(32);
    private final Band high = new Band(8);
    /** QMF delay line: the last 12 pairs of (rlow + rhigh, rlow - rhigh). */
    private final int[] qmf = new int[24];

    public G722Decoder() {
        super(CodecSpec.of(AudioCodec.G722), 16_000);
    }

    @Override
    public int samplesIn(byte[] payload, int off, int len) {
        return len > 0 ? 2 * len : UNDECODABLE;
    }

    @Override
    protected void convert(byte[] payload, int off, int len, short[] out) {
        int o = 0;
        for (int i = 0; i < len; i++) {
            int code = payload[off + i] & 0xff;
            int rlow = decodeLow(code & 0x3f);
            int rhigh = decodeHigh(code >> 6);
            o = receiveQmf(rlow, rhigh, out, o);
        }
    }

    private int decodeLow(int ilow) {
        // INVQBL: reconstructed lower sub-band signal from the full 6-bit code
        int rlow = clamp(low.s + ((low.det * QM6[ilow]) >> 15), -16384, 16383);
        // INVQAL: the 4-bit quantised difference drives prediction
        int dlow = (low.det * QM4[ilow >> 2]) >> 15;
        // LOGSCL: log scale factor adaptation
        int nb = ((low.nb * 127) >> 7) + WL[RL42[ilow >> 2]];
        low.nb = clamp(nb, 0, 18432);
        // SCALEL: back to the linear domain
        low.det = scale(low.nb, 8);
        low.adapt(dlow);
        return rlow;
    }

    private int decodeHigh(int ihigh) {
        // INVQAH
        int dhigh = (high.det * QM2[ihigh]) >> 15;
        int rhigh = clamp(dhigh + high.s, -16384, 16383);
        // LOGSCH
        int nb = ((high.nb * 127) >> 7) + WH[RH2[ihigh]];
        high.nb = clamp(nb, 0, 22528);
        // SCALEH
        high.det = scale(high.nb, 10);
        high.adapt(dhigh);
        return rhigh;
    }

    private static int scale(int nb, int shiftBase) {
        int wd1 = (nb >> 6) & 31;
        int wd2 = shiftBase - (nb >> 11);
        int wd3 = wd2 < 0 ? ILB[wd1] << -wd2 : ILB[wd1] >> wd2;
        return wd3 << 2;
    }

    /** Receive QMF: two 16 kHz samples from one pair of sub-band samples. */
    private int receiveQmf(int rlow, int rhigh, short[] out, int o) {
        System.arraycopy(qmf, 2, qmf, 0, 22);
        qmf[22] = rlow + rhigh;
        qmf[23] = rlow - rhigh;
        int xout1 = 0;
        int xout2 = 0;
        for (int i = 0; i < 12; i++) {
            xout2 += qmf[2 * i] * QMF[i];
            xout1 += qmf[2 * i + 1] * QMF[11 - i];
        }
        out[o] = saturate(xout1 >> 11);
        out[o + 1] = saturate(xout2 >> 11);
        return o + 2;
    }

    private static short saturate(int v) {
        return (short) clamp(v, -32768, 32767);
    }

    private static int sat16(int v) {
        return clamp(v, -32768, 32767);
    }

    private static int clamp(int v, int lo, int hi) {
        return v < lo ? lo : Math.min(v, hi);
    }

    /** The adaptive predictor of one sub-band (two poles, six zeros) and its scale factor. */
    private static final class Band {
        int s;
        int sp;
        int sz;
        final int[] r = new int[3];
        final int[] a = new int[3];
        final int[] ap = new int[3];
        final int[] p = new int[3];
        final int[] d = new int[7];
        final int[] b = new int[7];
        final int[] bp = new int[7];
        final int[] sg = new int[7];
        int nb;
        int det;

        Band(int initialDet) {
            det = initialDet;
        }

        /** Block 4: reconstruction, pole and zero predictor adaptation, and the next prediction. */
        void adapt(int dq) {
            // RECONS, PARREC
            d[0] = dq;
            r[0] = sat16(s + dq);
            p[0] = sat16(sz + dq);
            // UPPOL2
            for (int i = 0; i < 3; i++) sg[i] = p[i] >> 15;
            int wd1 = sat16(a[1] << 2);
            int wd2 = sg[0] == sg[1] ? -wd1 : wd1;
            if (wd2 > 32767) wd2 = 32767;
            int wd3 = (wd2 >> 7) + (sg[0] == sg[2] ? 128 : -128);
            wd3 += (a[2] * 32512) >> 15;
            ap[2] = clamp(wd3, -12288, 12288);
            // UPPOL1
            sg[0] = p[0] >> 15;
            sg[1] = p[1] >> 15;
            wd1 = sg[0] == sg[1] ? 192 : -192;
            wd2 = (a[1] * 32640) >> 15;
            ap[1] = sat16(wd1 + wd2);
            wd3 = sat16(15360 - ap[2]);
            ap[1] = clamp(ap[1], -wd3, wd3);
            // UPZERO
            wd1 = dq == 0 ? 0 : 128;
            sg[0] = dq >> 15;
            for (int i = 1; i < 7; i++) {
                sg[i] = d[i] >> 15;
                wd2 = sg[i] == sg[0] ? wd1 : -wd1;
                wd3 = (b[i] * 32640) >> 15;
                bp[i] = sat16(wd2 + wd3);
            }
            // DELAYA
            for (int i = 6; i > 0; i--) {
                d[i] = d[i - 1];
                b[i] = bp[i];
            }
            for (int i = 2; i > 0; i--) {
                r[i] = r[i - 1];
                p[i] = p[i - 1];
                a[i] = ap[i];
            }
            // FILTEP
            wd1 = sat16(r[1] + r[1]);
            wd1 = (a[1] * wd1) >> 15;
            wd2 = sat16(r[2] + r[2]);
            wd2 = (a[2] * wd2) >> 15;
            sp = sat16(wd1 + wd2);
            // FILTEZ
            int z = 0;
            for (int i = 6; i > 0; i--) {
                wd1 = sat16(d[i] + d[i]);
                z += (b[i] * wd1) >> 15;
            }
            sz = sat16(z);
            // PREDIC
            s = sat16(sp + sz);
        }
    }
}
