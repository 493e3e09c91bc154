package org.streamasr.media.sip.srtp;

/** An {@code a=crypto} line that is malformed or asks for something we cannot do; the message says which. */
public final class UnsupportedCryptoException extends Exception {
    public UnsupportedCryptoException(String message) {
        super(message);
    }
}
