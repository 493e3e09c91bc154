package org.streamasr.api.fetch;

/** An audio_url that could not be turned into a local file; {@link #kind()} says whose fault and so which answer. */
public class FetchException extends Exception {

    public enum Kind {
        /** The URL is not allowed (scheme, credentials, forbidden address). */
        REFUSED,
        /** The input is larger than the limit. */
        TOO_LARGE,
        /** A malformed data: URI. */
        BAD_DATA_URI,
        /** The download failed (unknown host, connection, HTTP status, timeout). */
        DOWNLOAD_FAILED
    }

    private final Kind kind;

    public FetchException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public FetchException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
