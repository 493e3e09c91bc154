/**
 * What the outside ASR APIs (Deepgram, OpenAI, NVIDIA Riva) share: one {@link org.streamasr.apis.LanguageResolver}
 * that turns any API's language spelling into a locale an engine serves, and one {@link org.streamasr.apis.ServedModels}
 * that turns the model names official clients send ({@code nova-3}, {@code whisper-1}, an empty name) into the engine
 * that serves them ({@code asr.apis.model-aliases}). The protocol packages ({@code apis.deepgram}, {@code apis.openai},
 * Riva) only parse and answer; they resolve through these two classes so every surface serves the same names.
 */
package org.streamasr.apis;
