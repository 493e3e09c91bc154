/**
 * What every protocol adapter shares: the socket-free {@link org.streamasr.media.adapter.ProtocolSession} contract,
 * the thin Jakarta WebSocket glue that drives it ({@link org.streamasr.media.adapter.ProtocolEndpoint},
 * {@link org.streamasr.media.adapter.EndpointConfigs}), the bounded non-blocking outbound queue
 * ({@link org.streamasr.media.adapter.OutboundQueue}) and small parsing helpers (lenient JSON, packet clocks, PCM byte
 * assembly). Audio goes into the engine through {@link org.streamasr.media.ingest.ParticipantIngest}: see
 * {@code org.streamasr.media.ingest} for how a new adapter plugs in.
 */
package org.streamasr.media.adapter;
