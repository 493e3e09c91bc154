package org.streamasr.engine;

/**
 * One emitted token.
 *
 * @param id      vocabulary id (-1 when the engine has no ids, e.g. sphinx words)
 * @param text    the token as it appears in the vocabulary (SentencePiece "▁" kept) or the word
 * @param startMs time on the stream's clock
 */
public record TimedToken(int id, String text, long startMs) {
}
