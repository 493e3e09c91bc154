package org.streamasr.media.sip.sdp;

/**
 * What the answerer does with one offered m= section: accept it ({@code accepted} set) or refuse it (port 0 in the
 * answer) with a SIP warning (RFC 3261 section 20.43) that says why.
 */
public record StreamDecision(int index, MediaDescription offered, StreamOffer accepted, int warningCode, String warning) {

    static StreamDecision accept(int index, MediaDescription offered, StreamOffer stream) {
        return new StreamDecision(index, offered, stream, 0, null);
    }

    static StreamDecision refuse(int index, MediaDescription offered, int warningCode, String warning) {
        return new StreamDecision(index, offered, null, warningCode, warning);
    }

    public boolean isAccepted() {
        return accepted != null;
    }
}
