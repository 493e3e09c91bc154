package org.streamasr.media.sip.srtp;

import java.security.GeneralSecurityException;
import java.util.Arrays;
import org.jitsi.srtp.SrtpContextFactory;
import org.jitsi.srtp.SrtpCryptoContext;
import org.jitsi.srtp.SrtpErrorStatus;
import org.jitsi.utils.ByteArrayBuffer;
import org.jitsi.utils.logging2.LoggerImpl;

/** The sending side of SRTP for tests: protects RTP packets with a key as a phone offering it would. */
public final class SrtpTestSender implements AutoCloseable {
    private final SrtpContextFactory factory;
    private final SrtpCryptoContext context;

    public SrtpTestSender(SdesKey key, int ssrc) throws GeneralSecurityException {
        factory = new SrtpContextFactory(true, key.masterKey(), key.masterSalt(), key.suite().srtpPolicy(),
                key.suite().srtcpPolicy(), new LoggerImpl("srtp-test-sender"));
        context = factory.deriveContext(ssrc, 0);
    }

    /** The SRTP packet for an RTP packet (the input is left as it was). */
    public byte[] protect(byte[] rtp) throws GeneralSecurityException {
        Buf b = new Buf(rtp);
        if (context.transformPacket(b) != SrtpErrorStatus.OK) throw new GeneralSecurityException("SRTP transform failed");
        return Arrays.copyOfRange(b.buffer, b.offset, b.offset + b.length);
    }

    @Override
    public void close() {
        factory.close();
    }

    /** A growable buffer: the sender appends the authentication tag. */
    private static final class Buf implements ByteArrayBuffer {
        byte[] buffer;
        int offset;
        int length;

        Buf(byte[] packet) {
            buffer = Arrays.copyOf(packet, packet.length + 64);
            length = packet.length;
        }

        @Override public byte[] getBuffer() { return buffer; }
        @Override public int getOffset() { return offset; }
        @Override public int getLength() { return length; }
        @Override public void setLength(int l) { length = l; }
        @Override public void setOffset(int o) { offset = o; }
        @Override public boolean isInvalid() { return false; }
        @Override public void readRegionToBuff(int off, int len, byte[] out) { System.arraycopy(buffer, offset + off, out, 0, len); }
        @Override public void grow(int n) {
            if (offset + length + n > buffer.length) buffer = Arrays.copyOf(buffer, offset + length + n);
        }
        @Override public void append(byte[] data, int len) {
            grow(len);
            System.arraycopy(data, 0, buffer, offset + length, len);
            length += len;
        }
        @Override public void shrink(int n) { length -= n; }
    }
}
