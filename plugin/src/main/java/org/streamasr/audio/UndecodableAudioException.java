package org.streamasr.audio;

/** Input that is not audio we can decode (unknown container, corrupt data, no audio stream). */
public class UndecodableAudioException extends Exception {
    public UndecodableAudioException(String message) {
        super(message);
    }

    public UndecodableAudioException(String message, Throwable cause) {
        super(message, cause);
    }
}
