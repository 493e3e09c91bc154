package org.streamasr.media.rtp;

/**
 * A hook that sees every datagram of an endpoint before RTP parsing, on the network thread: SRTP unprotect
 * (RFC 3711), or any other per-packet unwrapping. It works in place and must be cheap and non-blocking.
 */
@FunctionalInterface
public interface PacketTransformer {
    PacketTransformer NONE = (packet, length) -> length;

    /**
     * @param packet the datagram; may be modified in place
     * @param length its length
     * @return the new length (e.g. without the SRTP authentication tag), or a negative value to drop the packet
     *         (counted as {@code transform-rejected})
     */
    int transform(byte[] packet, int length);
}
