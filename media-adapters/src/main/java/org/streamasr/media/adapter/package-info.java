/**
 * What every protocol adapter shares: the socket-free {@link org.streamasr.media.adapter.ProtocolSession} contract,
 * the thin Jakarta WebSocket glue that drives it ({@link org.streamasr.media.adapter.ProtocolEndpoint},
 * {@link org.streamasr.media.adapter.EndpointConfigs}), the bounded non-blocking outbound queue
 * ({@link org.streamasr.media.adapter.OutboundQueue}) and the small helpers that turn what a media server sends into
 * 16 kHz {@link org.streamasr.media.PcmFrame}s (lenient JSON, media clocks, PCM conversion).
 */
package org.streamasr.media.adapter;
