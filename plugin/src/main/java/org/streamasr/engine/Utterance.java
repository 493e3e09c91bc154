package org.streamasr.engine;

import java.util.List;

/**
 * A stretch of speech between endpoints, as recognised so far (partial) or for good (final).
 *
 * @param id       unique id, shared by the partials and the final of one utterance
 * @param index    0, 1, 2, ... within the stream
 * @param text     display text (language tags stripped, SentencePiece spaces restored)
 * @param language the language given for the stream, or under "auto" the language the model reported
 *                 (null when unknown)
 * @param startMs  start on the stream's clock (samples accepted so far, at 16 kHz)
 * @param endMs    end on the stream's clock
 * @param tokens   the emitted tokens with their times (encoder frame x 80 ms for nemotron)
 */
public record Utterance(String id, int index, String text, String language, long startMs, long endMs,
                        List<TimedToken> tokens) {
    public Utterance {
        tokens = tokens == null ? List.of() : List.copyOf(tokens);
        text = text == null ? "" : text;
    }
}
