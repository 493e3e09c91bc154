package org.streamasr.media.rtp;

/**
 * One parsed RTP packet (RFC 3550 §5.1). The packet owns {@link #buffer()}, a copy of the datagram; the payload is
 * the range {@code [payloadOffset, payloadOffset + payloadLength)} of it (CSRCs, header extension and padding
 * excluded).
 */
public final class RtpPacket {
    /** No RFC 6464 audio level in the packet. */
    public static final int NO_AUDIO_LEVEL = -1;

    private final byte[] buffer;
    private final int payloadOffset;
    private final int payloadLength;
    private final int payloadType;
    private final boolean marker;
    private final int sequenceNumber;
    private final long timestamp;
    private final long ssrc;
    private final int csrcCount;
    private final int audioLevel;
    private final boolean voiceActivity;
    private final long arrivalNanos;

    RtpPacket(byte[] buffer, int payloadOffset, int payloadLength, int payloadType, boolean marker, int sequenceNumber,
            long timestamp, long ssrc, int csrcCount, int audioLevel, boolean voiceActivity, long arrivalNanos) {
        this.buffer = buffer;
        this.payloadOffset = payloadOffset;
        this.payloadLength = payloadLength;
        this.payloadType = payloadType;
        this.marker = marker;
        this.sequenceNumber = sequenceNumber;
        this.timestamp = timestamp;
        this.ssrc = ssrc;
        this.csrcCount = csrcCount;
        this.audioLevel = audioLevel;
        this.voiceActivity = voiceActivity;
        this.arrivalNanos = arrivalNanos;
    }

    public byte[] buffer() {
        return buffer;
    }

    public int payloadOffset() {
        return payloadOffset;
    }

    public int payloadLength() {
        return payloadLength;
    }

    public int payloadType() {
        return payloadType;
    }

    /** For audio, the first packet of a talkspurt (RFC 3551 §4.1). */
    public boolean marker() {
        return marker;
    }

    /** The 16-bit sequence number, 0..65535. */
    public int sequenceNumber() {
        return sequenceNumber;
    }

    /** The 32-bit timestamp, 0..2^32-1. */
    public long timestamp() {
        return timestamp;
    }

    /** The 32-bit SSRC, 0..2^32-1. */
    public long ssrc() {
        return ssrc;
    }

    public int csrcCount() {
        return csrcCount;
    }

    /** Contributing source {@code i} (0-based), 0..2^32-1. */
    public long csrc(int i) {
        if (i < 0 || i >= csrcCount) throw new IndexOutOfBoundsException("csrc " + i + " of " + csrcCount);
        return RtpParser.u32(buffer, 12 + 4 * i);
    }

    /**
     * The RFC 6464 client-to-mixer audio level in -dBov (0 loudest, 127 silence), or {@link #NO_AUDIO_LEVEL} when the
     * packet has none (or its extension id was not configured).
     */
    public int audioLevel() {
        return audioLevel;
    }

    /** The RFC 6464 V flag: the sender's VAD thinks this packet holds voice (only meaningful with an audio level). */
    public boolean voiceActivity() {
        return voiceActivity;
    }

    /** When the packet was read from the socket (the receiver's nanosecond clock). */
    public long arrivalNanos() {
        return arrivalNanos;
    }

    @Override
    public String toString() {
        return "RTP[pt=" + payloadType + " seq=" + sequenceNumber + " ts=" + timestamp + " ssrc="
                + Long.toHexString(ssrc) + " payload=" + payloadLength + (marker ? " M" : "") + "]";
    }
}
