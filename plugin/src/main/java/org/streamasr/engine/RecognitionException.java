package org.streamasr.engine;

/** A stream could not be recognised (a model run failed, the stream's state is broken). */
public class RecognitionException extends Exception {
    public RecognitionException(String message, Throwable cause) {
        super(message, cause);
    }

    public RecognitionException(String message) {
        super(message);
    }
}
