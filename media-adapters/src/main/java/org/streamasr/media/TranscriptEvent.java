package org.streamasr.media;

import java.util.List;

/**
 * A partial or final transcript of one utterance of one participant.
 *
 * <p>Partials of an utterance share its {@code utteranceId} and replace each other; the final closes the utterance
 * and the next utterance gets a new id. {@code seq} increases by one per event within a participant's stream.
 *
 * @param words words with times on the participant's media clock; empty when the engine gives none
 */
public record TranscriptEvent(
        String callId,
        String participantId,
        String participantName,
        String utteranceId,
        long seq,
        boolean isFinal,
        String text,
        String language,
        long startMs,
        long endMs,
        List<WordTiming> words) {

    public TranscriptEvent {
        words = words == null ? List.of() : List.copyOf(words);
        text = text == null ? "" : text;
    }

    public record WordTiming(String word, long startMs, long endMs) {
    }
}
