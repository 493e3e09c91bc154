/**
 * OpenAI's transcription wire formats: the response bodies and server-sent events of
 * {@code POST /v1/audio/transcriptions} ({@link org.streamasr.apis.openai.OpenAiTranscriptions}), the error shape
 * ({@link org.streamasr.apis.openai.OpenAiError}), and the realtime transcription socket {@code /v1/realtime}
 * ({@link org.streamasr.apis.openai.RealtimeEndpoint}, a protocol parser on the ingest pipeline through
 * {@link org.streamasr.apis.LiveAudio}). The REST glue lives with the hosted API ({@code api.http.OpenAiEndpoints}).
 */
package org.streamasr.apis.openai;
