package org.streamasr.captions;

/** A caption subscription was refused; the message is safe to send to the client as a close reason. */
public class SubscriptionRejectedException extends Exception {
    public SubscriptionRejectedException(String message) {
        super(message);
    }
}
