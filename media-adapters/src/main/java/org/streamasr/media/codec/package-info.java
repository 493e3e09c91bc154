/**
 * Audio payload decoding shared by every adapter: {@link org.streamasr.media.codec.AudioDecoder} (one interface for
 * Opus, PCMU, PCMA, G.722 and L16), {@link org.streamasr.media.codec.CodecSpec} (codec + RTP clock + channels) and
 * {@link org.streamasr.media.codec.AudioDecoders} (opens one at the codec's natural rate). Adapters do not call
 * decoders themselves: they hand the decoder to their participant's pipeline
 * ({@link org.streamasr.media.ingest.ParticipantIngest}), which decodes on the media pool and resamples to 16 kHz.
 * Losses: {@code conceal(out, samples)} (Opus PLC; pitch repetition fading over 20 ms for waveform codecs), and
 * {@code recover(nextPayload, ...)} for Opus in-band FEC carried by the packet after a loss.
 */
package org.streamasr.media.codec;
