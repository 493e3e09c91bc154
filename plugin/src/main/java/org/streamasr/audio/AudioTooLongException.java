package org.streamasr.audio;

/** Audio that decodes but runs past the decoder's maximum duration. */
public class AudioTooLongException extends UndecodableAudioException {
    public AudioTooLongException(String message) {
        super(message);
    }
}
