package org.streamasr.media.opus;

/**
 * Reads what the RTP layer needs from an Opus packet's framing (RFC 6716 §3) without decoding it: duration and
 * whether the first frame carries in-band FEC (LBRR) data.
 */
public final class OpusPackets {
    /** RFC 6716 §3.2.5: a packet holds at most 120 ms. */
    public static final int MAX_PACKET_SAMPLES_48K = 5_760;
    public static final int INVALID = -1;

    private OpusPackets() {
    }

    /** Samples per frame at 48 kHz for the packet's TOC byte. */
    public static int samplesPerFrame48k(int toc) {
        int config = (toc >> 3) & 0x1f;
        if (config < 12) { // SILK-only: 10, 20, 40, 60 ms
            return new int[] {480, 960, 1920, 2880}[config & 3];
        }
        if (config < 16) { // hybrid: 10, 20 ms
            return (config & 1) == 0 ? 480 : 960;
        }
        return 120 << (config & 3); // CELT-only: 2.5, 5, 10, 20 ms
    }

    /** Frame count of the packet, or {@link #INVALID}. */
    public static int frameCount(byte[] p, int off, int len) {
        if (len < 1) return INVALID;
        int code = p[off] & 3;
        if (code == 0) return 1;
        if (code == 1 || code == 2) return 2;
        if (len < 2) return INVALID;
        int count = p[off + 1] & 0x3f;
        return count == 0 ? INVALID : count;
    }

    /** Duration of the packet in 48 kHz samples, or {@link #INVALID} for a malformed TOC or more than 120 ms. */
    public static int samples48k(byte[] p, int off, int len) {
        int frames = frameCount(p, off, len);
        if (frames == INVALID) return INVALID;
        int total = frames * samplesPerFrame48k(p[off] & 0xff);
        return total > MAX_PACKET_SAMPLES_48K ? INVALID : total;
    }

    /**
     * Whether the packet's first frame carries LBRR (FEC) data for the previous packet: SILK or hybrid mode, and the
     * LBRR flag that follows the VAD flags at the start of the first SILK frame (libopus 1.5's
     * {@code opus_packet_has_lbrr}).
     */
    public static boolean hasFec(byte[] p, int off, int len) {
        if (len < 2) return false;
        int toc = p[off] & 0xff;
        int config = toc >> 3;
        if (config >= 16) return false; // CELT-only: no SILK layer, no LBRR
        int frameOffset = firstFrameOffset(p, off, len);
        if (frameOffset < 0 || frameOffset >= off + len) return false;
        int spf = samplesPerFrame48k(toc);
        int silkFrames = spf > 960 ? spf / 960 : 1;
        boolean stereo = (toc & 0x04) != 0;
        int first = p[frameOffset] & 0xff;
        boolean lbrr = ((first >> (7 - silkFrames)) & 1) != 0;
        if (stereo) lbrr |= ((first >> (6 - 2 * silkFrames)) & 1) != 0;
        return lbrr;
    }

    /** Index of the first byte of the first frame's data, or -1 when the framing is invalid or the frame empty. */
    static int firstFrameOffset(byte[] p, int off, int len) {
        int end = off + len;
        int code = p[off] & 3;
        int pos = off + 1;
        switch (code) {
            case 0, 1:
                return pos < end ? pos : -1;
            case 2: {
                if (pos >= end) return -1;
                int size = p[pos] & 0xff;
                if (size >= 252) {
                    if (pos + 1 >= end) return -1;
                    size += 4 * (p[pos + 1] & 0xff);
                    pos += 2;
                } else {
                    pos += 1;
                }
                return size > 0 && pos < end ? pos : -1;
            }
            default: {
                if (pos >= end) return -1;
                int ch = p[pos++] & 0xff;
                boolean vbr = (ch & 0x80) != 0;
                boolean padded = (ch & 0x40) != 0;
                if (padded) {
                    int b;
                    do {
                        if (pos >= end) return -1;
                        b = p[pos++] & 0xff;
                    } while (b == 255);
                }
                if (vbr) {
                    int count = ch & 0x3f;
                    // count-1 frame lengths precede the data
                    for (int i = 0; i < count - 1; i++) {
                        if (pos >= end) return -1;
                        int size = p[pos++] & 0xff;
                        if (size >= 252) {
                            if (pos >= end) return -1;
                            pos++;
                        }
                    }
                }
                return pos < end ? pos : -1;
            }
        }
    }
}
