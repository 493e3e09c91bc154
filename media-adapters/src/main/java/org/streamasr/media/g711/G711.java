package org.streamasr.media.g711;

/**
 * ITU-T G.711 companding: µ-law (PCMU) and A-law (PCMA), one byte per sample at 8 kHz.
 *
 * <p>Expansion goes through two 256-entry tables built from the standard's segment formulas; compression is the
 * classic segment search. µ-law: the byte is complemented, then sign (1 bit), exponent (3), mantissa (4), bias 0x84.
 * A-law: the byte is XORed with 0x55, then sign, segment and mantissa, no bias.
 */
public final class G711 {
    private static final short[] ULAW_TO_LINEAR = new short[256];
    private static final short[] ALAW_TO_LINEAR = new short[256];
    private static final int ULAW_BIAS = 0x84;
    private static final int ULAW_CLIP = 32635;

    static {
        for (int i = 0; i < 256; i++) {
            ULAW_TO_LINEAR[i] = expandUlaw(i);
            ALAW_TO_LINEAR[i] = expandAlaw(i);
        }
    }

    private G711() {
    }

    public static short ulawToLinear(byte b) {
        return ULAW_TO_LINEAR[b & 0xff];
    }

    public static short alawToLinear(byte b) {
        return ALAW_TO_LINEAR[b & 0xff];
    }

    public static byte linearToUlaw(short pcm) {
        int sample = pcm;
        int sign = (sample >> 8) & 0x80;
        if (sign != 0) sample = -sample;
        if (sample > ULAW_CLIP) sample = ULAW_CLIP;
        sample += ULAW_BIAS;
        int exponent = 7;
        for (int mask = 0x4000; (sample & mask) == 0 && exponent > 0; mask >>= 1) exponent--;
        int mantissa = (sample >> (exponent + 3)) & 0x0f;
        return (byte) ~(sign | (exponent << 4) | mantissa);
    }

    public static byte linearToAlaw(short pcm) {
        int sample = pcm;
        int sign = 0x80;
        if (sample < 0) {
            sign = 0;
            sample = -sample - 1;
        }
        if (sample > 32767) sample = 32767;
        int segment = 0;
        for (int v = sample >> 8; v > 0 && segment < 7; v >>= 1) segment++;
        int mantissa = segment == 0 ? (sample >> 4) & 0x0f : (sample >> (segment + 3)) & 0x0f;
        return (byte) ((sign | (segment << 4) | mantissa) ^ 0x55);
    }

    private static short expandUlaw(int b) {
        int u = ~b & 0xff;
        int t = ((u & 0x0f) << 3) + ULAW_BIAS;
        t <<= (u & 0x70) >> 4;
        return (short) ((u & 0x80) != 0 ? ULAW_BIAS - t : t - ULAW_BIAS);
    }

    private static short expandAlaw(int b) {
        int a = (b ^ 0x55) & 0xff;
        int t = (a & 0x0f) << 4;
        int segment = (a & 0x70) >> 4;
        if (segment == 0) {
            t += 8;
        } else {
            t += 0x108;
            t <<= segment - 1;
        }
        return (short) ((a & 0x80) != 0 ? t : -t);
    }
}
