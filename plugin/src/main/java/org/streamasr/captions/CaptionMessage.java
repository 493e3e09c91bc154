package org.streamasr.captions;

import java.nio.charset.StandardCharsets;

/**
 * One encoded caption message, shared by every subscriber of a call (encoded once).
 *
 * @param key     the utterance it belongs to: partials of one key replace each other in a subscriber's queue
 * @param isFinal finals (and control messages) are never coalesced or dropped
 * @param json    the text frame
 * @param bytes   its UTF-8 size, what subscriber limits count
 */
public record CaptionMessage(String key, boolean isFinal, String json, int bytes) {

    public static CaptionMessage of(String key, boolean isFinal, String json) {
        return new CaptionMessage(key, isFinal, json, json.getBytes(StandardCharsets.UTF_8).length);
    }

    /** A control message (history marker, call end): never dropped, never coalesced. */
    public static CaptionMessage control(String json) {
        return of("", true, json);
    }
}
