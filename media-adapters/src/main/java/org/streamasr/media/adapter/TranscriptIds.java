package org.streamasr.media.adapter;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * Utterance ids as the peers need them. Jigasi's Whisper client parses {@code id} with {@code UUID.fromString} and
 * Jitsi Meet keys captions by {@code message_id}, so every utterance gets a stable UUID: the engine's id when it is
 * one, else a name-based UUID of (call, participant, utterance).
 */
public final class TranscriptIds {
    private TranscriptIds() {
    }

    public static String uuid(String callId, String participantId, String utteranceId) {
        if (utteranceId != null && utteranceId.length() == 36) {
            try {
                return UUID.fromString(utteranceId).toString();
            } catch (IllegalArgumentException notUuid) {
                // fall through to a derived id
            }
        }
        String key = callId + '\u0000' + participantId + '\u0000' + utteranceId;
        return UUID.nameUUIDFromBytes(key.getBytes(StandardCharsets.UTF_8)).toString();
    }
}
