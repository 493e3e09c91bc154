package org.streamasr.media.adapter;

/** A connection is refused; the message is safe to send to the peer as a close reason. */
public class ConnectionRefusedException extends Exception {
    private final int closeCode;

    public ConnectionRefusedException(int closeCode, String message) {
        super(message);
        this.closeCode = closeCode;
    }

    public int closeCode() {
        return closeCode;
    }
}
