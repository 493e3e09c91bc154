package org.streamasr.media.sip.srtp;

import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import org.jitsi.srtp.SrtpContextFactory;
import org.jitsi.srtp.SrtpCryptoContext;
import org.jitsi.srtp.SrtpErrorStatus;
import org.jitsi.utils.ByteArrayBuffer;
import org.jitsi.utils.logging2.LoggerImpl;
import org.streamasr.runtime.DropCounter;

/**
 * Turns the SRTP packets of one received stream back into RTP, in place, with libjitsi's SRTP stack (jitsi-srtp):
 * one crypto context per sender SSRC, derived from the remote side's SDES master key.
 *
 * <p>Called from the one thread that receives the stream's packets; {@link #close()} may come from another, so both
 * take the (uncontended) lock: the native cipher contexts are never used after they are freed. A packet that fails
 * authentication, is a replay, or is malformed is counted and dropped; it never throws.
 */
public final class SrtpUnprotector implements AutoCloseable {
    /** Senders per stream we keep contexts for; a peer that cycles through more is not a real phone. */
    static final int MAX_SSRCS = 8;
    private static final int RTP_HEADER_BYTES = 12;

    private final SrtpSuite suite;
    private final SrtpContextFactory factory;
    private final DropCounter drops;
    private final Map<Integer, SrtpCryptoContext> contexts = new HashMap<>();
    private boolean closed;

    public SrtpUnprotector(SdesKey remoteKey, DropCounter drops) {
        this.suite = remoteKey.suite();
        this.drops = drops;
        this.factory = new SrtpContextFactory(false, remoteKey.masterKey(), remoteKey.masterSalt(),
                suite.srtpPolicy(), suite.srtcpPolicy(), new LoggerImpl(SrtpUnprotector.class.getName()));
    }

    /**
     * Loads and benchmarks jitsi-srtp's AES implementations (OpenSSL, SunJCE, BouncyCastle), which it does once per
     * process on first use and which takes seconds: done at start-up, it never stalls the RTP network thread. It
     * decrypts a known packet (RFC 3711 B.3's master key and salt, libsrtp's reference packet under them), so it
     * drops nothing and logs nothing, and a broken SRTP stack is found before the first call.
     */
    public static void warmUp() {
        HexFormat hex = HexFormat.of();
        byte[] packet = hex.parseHex("800f1234decafbadcafebabe4e55dc4ce79978d88ca4d215949d2402b78d6acc99ea179b8dbb");
        byte[] plain = hex.parseHex("800f1234decafbadcafebabe" + "ab".repeat(16));
        SdesKey key = new SdesKey(1, SrtpSuite.AES_CM_128_HMAC_SHA1_80, hex.parseHex("e1f97a0d3e018be0d64fa32c06de4139"),
                hex.parseHex("0ec675ad498afeebb6960b3aabe6"));
        DropCounter drops = new DropCounter("srtp");
        try (SrtpUnprotector u = new SrtpUnprotector(key, drops)) {
            int n = u.unprotect(packet, 0, packet.length);
            if (n != plain.length || !Arrays.equals(plain, 0, n, packet, 0, n)) {
                throw new IllegalStateException("SRTP self-test failed: the reference packet did not decrypt "
                        + drops.snapshot());
            }
        }
    }

    /**
     * Authenticates and decrypts one SRTP packet in {@code buf[off, off+len)}.
     *
     * @return the length of the RTP packet now in the same place, or -1 when the packet was dropped (counted)
     */
    public synchronized int unprotect(byte[] buf, int off, int len) {
        if (closed) return -1;
        if (len < RTP_HEADER_BYTES + suite.srtpTagBytes() || (buf[off] & 0xC0) != 0x80) {
            drops.drop("srtp-malformed", "length " + len);
            return -1;
        }
        int ssrc = ((buf[off + 8] & 0xff) << 24) | ((buf[off + 9] & 0xff) << 16) | ((buf[off + 10] & 0xff) << 8) | (buf[off + 11] & 0xff);
        SrtpCryptoContext ctx = contexts.get(ssrc);
        if (ctx == null) {
            if (contexts.size() >= MAX_SSRCS) {
                drops.drop("srtp-too-many-ssrcs", "ssrc " + Integer.toUnsignedString(ssrc));
                return -1;
            }
            try {
                ctx = factory.deriveContext(ssrc, 0);
            } catch (GeneralSecurityException e) {
                drops.drop("srtp-context-failed", e.toString());
                return -1;
            }
            contexts.put(ssrc, ctx);
        }
        Packet packet = new Packet(buf, off, len);
        SrtpErrorStatus status;
        try {
            status = ctx.reverseTransformPacket(packet, false);
        } catch (GeneralSecurityException | RuntimeException e) {
            drops.drop("srtp-failed", e.toString());
            return -1;
        }
        if (status != SrtpErrorStatus.OK) {
            drops.drop(switch (status) {
                case AUTH_FAIL -> "srtp-auth-failed";
                case REPLAY_FAIL, REPLAY_OLD -> "srtp-replay";
                default -> "srtp-invalid";
            }, status.desc);
            return -1;
        }
        if (packet.length > len) {
            drops.drop("srtp-invalid", "transform grew the packet");
            return -1;
        }
        if (packet.buffer != buf || packet.offset != off) System.arraycopy(packet.buffer, packet.offset, buf, off, packet.length);
        return packet.length;
    }

    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        contexts.clear();
        factory.close();
    }

    /** The view jitsi-srtp works on: our array, transformed in place; it only ever shrinks the packet. */
    private static final class Packet implements ByteArrayBuffer {
        byte[] buffer;
        int offset;
        int length;

        Packet(byte[] buffer, int offset, int length) {
            this.buffer = buffer;
            this.offset = offset;
            this.length = length;
        }

        @Override
        public byte[] getBuffer() {
            return buffer;
        }

        @Override
        public int getOffset() {
            return offset;
        }

        @Override
        public int getLength() {
            return length;
        }

        @Override
        public void setLength(int len) {
            length = len;
        }

        @Override
        public void setOffset(int off) {
            offset = off;
        }

        @Override
        public boolean isInvalid() {
            return false;
        }

        @Override
        public void readRegionToBuff(int off, int len, byte[] out) {
            System.arraycopy(buffer, offset + off, out, 0, len);
        }

        @Override
        public void grow(int howMuch) {
            if (offset + length + howMuch > buffer.length) {
                byte[] bigger = new byte[length + howMuch];
                System.arraycopy(buffer, offset, bigger, 0, length);
                buffer = bigger;
                offset = 0;
            }
        }

        @Override
        public void append(byte[] data, int len) {
            grow(len);
            System.arraycopy(data, 0, buffer, offset + length, len);
            length += len;
        }

        @Override
        public void shrink(int len) {
            length = Math.max(0, length - len);
        }
    }
}
