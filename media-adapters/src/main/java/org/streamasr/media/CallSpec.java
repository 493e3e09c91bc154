package org.streamasr.media;

import java.util.Map;

/**
 * What an adapter knows about a call when it opens it.
 *
 * @param callId     the call's id, or {@code null} to let the sink generate one
 * @param source     which adapter opened it, for logs and metrics ("jitsi", "twilio", "sip", "rtp", ...)
 * @param language   requested language ("auto", a locale such as "de-DE", or {@code null} for the configured default)
 * @param attributes free-form metadata from the protocol (room name, call SID, From/To, ...); never {@code null}
 */
public record CallSpec(String callId, String source, String language, Map<String, String> attributes) {
    public CallSpec {
        if (source == null || source.isBlank()) throw new IllegalArgumentException("source must be given");
        attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
    }

    public static CallSpec of(String callId, String source) {
        return new CallSpec(callId, source, null, Map.of());
    }
}
