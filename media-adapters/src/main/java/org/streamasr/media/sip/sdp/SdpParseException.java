package org.streamasr.media.sip.sdp;

/** A session description that cannot be read; the message names the offending line and is safe to send back. */
public final class SdpParseException extends Exception {
    public SdpParseException(String message) {
        super(message);
    }
}
