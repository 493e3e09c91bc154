package org.streamasr.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes G.722 as an RTP stream into a pcap file (Ethernet/IPv4/UDP, 20 ms per packet) for sipp's
 * {@code play_pcap_audio}: 160 bytes and 160 RTP clock ticks per packet (G.722's RTP clock is 8 kHz, RFC 3551).
 */
final class G722Pcap {
    private static final int BYTES_PER_PACKET = 160;

    private G722Pcap() {
    }

    static void write(byte[] g722, int payloadType, int ssrc, Path out) throws IOException {
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        ByteBuffer header = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        header.putInt(0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(65_535).putInt(1);
        file.write(header.array());
        int seq = 0;
        for (int off = 0; off + BYTES_PER_PACKET <= g722.length; off += BYTES_PER_PACKET, seq++) {
            byte[] rtp = new byte[12 + BYTES_PER_PACKET];
            ByteBuffer r = ByteBuffer.wrap(rtp);
            r.put((byte) 0x80).put((byte) (payloadType | (seq == 0 ? 0x80 : 0))).putShort((short) seq)
                    .putInt(seq * BYTES_PER_PACKET).putInt(ssrc);
            System.arraycopy(g722, off, rtp, 12, BYTES_PER_PACKET);
            byte[] frame = udpFrame(rtp);
            long micros = seq * 20_000L;
            ByteBuffer rec = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
            rec.putInt((int) (micros / 1_000_000)).putInt((int) (micros % 1_000_000)).putInt(frame.length).putInt(frame.length);
            file.write(rec.array());
            file.write(frame);
        }
        Files.write(out, file.toByteArray());
    }

    /** Ethernet II + IPv4 (127.0.0.1 to itself; sipp rewrites the destination) + UDP around one RTP packet. */
    private static byte[] udpFrame(byte[] payload) {
        int udpLen = 8 + payload.length;
        int ipLen = 20 + udpLen;
        ByteBuffer b = ByteBuffer.allocate(14 + ipLen);
        b.put(new byte[12]).putShort((short) 0x0800);
        int ipStart = b.position();
        b.put((byte) 0x45).put((byte) 0).putShort((short) ipLen).putShort((short) 0).putShort((short) 0x4000)
                .put((byte) 64).put((byte) 17).putShort((short) 0).put(new byte[] {127, 0, 0, 1}).put(new byte[] {127, 0, 0, 1});
        int sum = 0;
        for (int i = ipStart; i < ipStart + 20; i += 2) sum += ((b.get(i) & 0xff) << 8) | (b.get(i + 1) & 0xff);
        while ((sum >> 16) != 0) sum = (sum & 0xffff) + (sum >> 16);
        b.putShort(ipStart + 10, (short) ~sum);
        b.putShort((short) 40_000).putShort((short) 40_002).putShort((short) udpLen).putShort((short) 0);
        b.put(payload);
        return b.array();
    }
}
