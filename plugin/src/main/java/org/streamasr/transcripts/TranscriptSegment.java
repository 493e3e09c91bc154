package org.streamasr.transcripts;

import java.util.List;

/**
 * One final of one participant, as a call's transcript keeps it.
 *
 * @param speakerId   the participant's id
 * @param speakerName the name it was announced with (its id when it had none)
 * @param startMs     start on the call's clock: ms since the call started (a participant's media clock starts when its
 *                    stream opens, and is moved by that much)
 * @param words       words with their times; empty when the engine gives none
 */
public record TranscriptSegment(String speakerId, String speakerName, String language, long startMs, long endMs,
                                String text, List<Word> words) {

    public TranscriptSegment {
        words = words == null ? List.of() : List.copyOf(words);
    }

    public record Word(String word, long startMs, long endMs) {
    }
}
