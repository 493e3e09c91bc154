package org.streamasr.media;

/** A call could not be opened; the message says why in words fit for the remote side. */
public class CallRejectedException extends Exception {
    public CallRejectedException(String message) {
        super(message);
    }

    public CallRejectedException(String message, Throwable cause) {
        super(message, cause);
    }
}
