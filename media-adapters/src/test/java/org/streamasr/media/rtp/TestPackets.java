package org.streamasr.media.rtp;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;

/** Builds RTP datagrams for tests, with every header feature settable. */
final class TestPackets {
    int version = 2;
    int payloadType = 0;
    boolean marker;
    int seq;
    long timestamp;
    long ssrc = 0x11223344L;
    long[] csrcs = new long[0];
    /** Header extension: profile and raw data (whole 32-bit words), or null for none. */
    Integer extensionProfile;
    byte[] extensionData;
    int padding;
    byte[] payload = new byte[160];

    static TestPackets pt(int pt) {
        TestPackets t = new TestPackets();
        t.payloadType = pt;
        return t;
    }

    TestPackets seq(int s) {
        seq = s & 0xffff;
        return this;
    }

    TestPackets ts(long t) {
        timestamp = t & 0xffffffffL;
        return this;
    }

    TestPackets ssrc(long s) {
        ssrc = s;
        return this;
    }

    TestPackets payload(byte[] p) {
        payload = p;
        return this;
    }

    TestPackets oneByteExtension(int id, byte... value) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write((id << 4) | (value.length - 1));
        b.write(value, 0, value.length);
        while (b.size() % 4 != 0) b.write(0);
        extensionProfile = 0xBEDE;
        extensionData = b.toByteArray();
        return this;
    }

    TestPackets twoByteExtension(int id, byte... value) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(id);
        b.write(value.length);
        b.write(value, 0, value.length);
        while (b.size() % 4 != 0) b.write(0);
        extensionProfile = 0x1000;
        extensionData = b.toByteArray();
        return this;
    }

    byte[] build() {
        int ext = extensionProfile == null ? 0 : 4 + extensionData.length;
        ByteBuffer b = ByteBuffer.allocate(12 + 4 * csrcs.length + ext + payload.length + padding);
        b.put((byte) ((version << 6) | (padding > 0 ? 0x20 : 0) | (extensionProfile != null ? 0x10 : 0) | csrcs.length));
        b.put((byte) ((marker ? 0x80 : 0) | payloadType));
        b.putShort((short) seq);
        b.putInt((int) timestamp);
        b.putInt((int) ssrc);
        for (long c : csrcs) b.putInt((int) c);
        if (extensionProfile != null) {
            b.putShort((short) (int) extensionProfile);
            b.putShort((short) (extensionData.length / 4));
            b.put(extensionData);
        }
        b.put(payload);
        for (int i = 0; i < padding; i++) b.put((byte) (i == padding - 1 ? padding : 0));
        return b.array();
    }
}
