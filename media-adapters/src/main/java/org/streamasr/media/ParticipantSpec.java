package org.streamasr.media;

/**
 * One participant (speaker, track) of a call.
 *
 * @param participantId stable id within the call (Jitsi endpoint id, SSRC, Twilio track, SIP From URI)
 * @param displayName   name to show in captions, or {@code null}
 * @param language      per-participant language override, or {@code null} to use the call's
 */
public record ParticipantSpec(String participantId, String displayName, String language) {
    public ParticipantSpec {
        if (participantId == null || participantId.isBlank()) throw new IllegalArgumentException("participantId must be given");
    }

    public static ParticipantSpec of(String participantId) {
        return new ParticipantSpec(participantId, null, null);
    }
}
