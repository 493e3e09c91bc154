/**
 * Audio payload decoding shared by every adapter: {@link org.streamasr.media.codec.AudioDecoder} (one interface for
 * Opus, PCMU, PCMA, G.722 and L16), {@link org.streamasr.media.codec.CodecSpec} (codec + RTP clock + channels) and
 * {@link org.streamasr.media.codec.AudioDecoders} (opens one). Typical use by an adapter that gets one payload at a
 * time:
 *
 * <pre>{@code
 * try (AudioDecoder d = AudioDecoders.openAt16k(CodecSpec.of(AudioCodec.OPUS))) {
 *     short[] pcm = new short[d.samplesIn(payload, 0, payload.length)];   // or one buffer of 1920 for Opus
 *     int n = d.decode(payload, 0, payload.length, pcm);
 *     if (n == AudioDecoder.UNDECODABLE) drops.drop("undecodable-opus", "...");
 *     else sink.push(PcmFrame.audio(Arrays.copyOf(pcm, n), mediaTime));
 * }
 * }</pre>
 * Losses: {@code conceal(out, samples)} (Opus PLC; pitch repetition fading over 20 ms for waveform codecs), and
 * {@code recover(nextPayload, ...)} for Opus in-band FEC carried by the packet after a loss.
 */
package org.streamasr.media.codec;
