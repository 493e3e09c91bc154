package org.streamasr.media.sip.sdp;

/** The direction attribute of a media stream (RFC 3264 section 5.1), seen from the side that wrote the SDP. */
public enum MediaDirection {
    SENDRECV, SENDONLY, RECVONLY, INACTIVE;

    public String attributeName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** Whether the writer of the SDP will send media on this stream. */
    public boolean sends() {
        return this == SENDRECV || this == SENDONLY;
    }

    static MediaDirection fromAttribute(String name) {
        for (MediaDirection d : values()) if (d.attributeName().equals(name)) return d;
        return null;
    }

    /**
     * The direction a receive-only answerer puts in its answer (RFC 3264 section 6.1): it receives whatever the
     * offerer sends and sends nothing back.
     */
    public MediaDirection receiveOnlyAnswer() {
        return sends() ? RECVONLY : INACTIVE;
    }
}
