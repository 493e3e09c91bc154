package org.streamasr.api.fetch;

/** A client-supplied URL the server will not contact (scheme, credentials, or an address the rules forbid). */
public class RefusedUrlException extends Exception {
    public RefusedUrlException(String message) {
        super(message);
    }
}
