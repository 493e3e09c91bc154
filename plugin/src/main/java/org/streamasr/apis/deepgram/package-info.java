/**
 * Deepgram's {@code /v1/listen}: the live socket ({@link org.streamasr.apis.deepgram.DeepgramLiveEndpoint}, a
 * protocol parser on the ingest pipeline through {@link org.streamasr.apis.LiveAudio}; handshake refusals with
 * {@code dg-error}) and the pre-recorded response ({@link org.streamasr.apis.deepgram.DeepgramPrerecorded}; its REST
 * glue lives with the hosted API, {@code api.http.DeepgramRestEndpoints}).
 */
package org.streamasr.apis.deepgram;
