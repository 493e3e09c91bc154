package org.streamasr.api.jobs;

import org.streamasr.engine.SpeechEngine;

/**
 * What a request of an outside API (OpenAI, Deepgram) brings beyond fal's input: the engine of the model it named,
 * and the audio it uploaded in the request itself (null when it gave a URL). Never stored.
 *
 * @param engine the engine to run on, or null for the hosted API's engine
 * @param bytes  the uploaded audio file (any container ffmpeg reads), or null to fetch {@code audioUrl}
 */
public record EphemeralAudio(SpeechEngine engine, byte[] bytes) {
}
