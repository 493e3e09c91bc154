/**
 * Backends a stock Jigasi transcriber can use unchanged: its Vosk protocol ({@link org.streamasr.media.jigasi.VoskEndpoints},
 * one WebSocket per participant, PCM after a JSON config, {@code {"eof" : 1}} to finish) and its Whisper/Skynet
 * protocol ({@link org.streamasr.media.jigasi.WhisperEndpoints}, one WebSocket per room, binary frames with a 60-byte
 * {@code participant|language} header, optional JWT).
 */
package org.streamasr.media.jigasi;
