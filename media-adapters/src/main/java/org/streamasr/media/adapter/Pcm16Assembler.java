package org.streamasr.media.adapter;

import java.nio.ByteBuffer;

/**
 * Turns a stream of interleaved signed 16-bit PCM bytes, cut into messages anywhere (even inside a sample), into one
 * array of samples per channel. An incomplete sample frame at the end of a message is kept for the next one.
 */
public final class Pcm16Assembler {
    private final int channels;
    private final boolean bigEndian;
    private final int frameBytes;
    private final byte[] carry;
    private int carried;

    public Pcm16Assembler(int channels, boolean bigEndian) {
        if (channels < 1 || channels > 8) throw new IllegalArgumentException("channels must be 1..8: " + channels);
        this.channels = channels;
        this.bigEndian = bigEndian;
        this.frameBytes = 2 * channels;
        this.carry = new byte[frameBytes];
    }

    public static Pcm16Assembler littleEndian(int channels) {
        return new Pcm16Assembler(channels, false);
    }

    public int channels() {
        return channels;
    }

    /** Bytes of an incomplete sample frame waiting for the next message. */
    public int pendingBytes() {
        return carried;
    }

    /** Forgets an incomplete sample frame held for the next message; returns how many bytes that was. */
    public int discardPending() {
        int n = carried;
        carried = 0;
        return n;
    }

    /** Consumes {@code data} (its position moves to the limit) and returns {@code [channel][sample]}. */
    public short[][] accept(ByteBuffer data) {
        int total = carried + data.remaining();
        int frames = total / frameBytes;
        short[][] out = new short[channels][frames];
        int frame = 0;
        if (carried > 0) {
            if (frames == 0) {
                data.get(carry, carried, data.remaining());
                carried = total;
                return out;
            }
            int need = frameBytes - carried;
            data.get(carry, carried, need);
            for (int c = 0; c < channels; c++) out[c][0] = sample(carry[2 * c], carry[2 * c + 1]);
            frame = 1;
            carried = 0;
        }
        for (; frame < frames; frame++) {
            for (int c = 0; c < channels; c++) out[c][frame] = sample(data.get(), data.get());
        }
        int rest = data.remaining();
        data.get(carry, 0, rest);
        carried = rest;
        return out;
    }

    private short sample(byte first, byte second) {
        return bigEndian ? (short) ((first << 8) | (second & 0xff)) : (short) ((second << 8) | (first & 0xff));
    }
}
