/**
 * Sample-rate conversion to (or from) 16 kHz: a shared, immutable
 * {@link org.streamasr.media.resample.ResamplerDesign} (Kaiser-windowed sinc, polyphase, 100 dB; a half-band or
 * L-th-band design for integer up-sampling such as 8 to 16 kHz) per rate pair and a per-stream
 * {@link org.streamasr.media.resample.StreamingResampler} that keeps filter history across chunks.
 */
package org.streamasr.media.resample;
