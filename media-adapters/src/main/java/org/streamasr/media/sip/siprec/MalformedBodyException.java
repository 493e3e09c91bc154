package org.streamasr.media.sip.siprec;

/** A message body that cannot be read (bad multipart framing, malformed metadata XML); answered with 400. */
public final class MalformedBodyException extends Exception {
    public MalformedBodyException(String message) {
        super(message);
    }
}
