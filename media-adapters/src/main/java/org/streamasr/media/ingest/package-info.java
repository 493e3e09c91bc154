/**
 * The one media ingest pipeline every protocol adapter uses: what arrives for one participant goes through the same
 * stages (order, decode with concealment and gap filling, resample to 16 kHz, frame on the participant's media clock)
 * on the media pool, never on the network thread.
 *
 * <h2>Writing a new adapter (Deepgram live, OpenAI realtime, Riva, ...)</h2>
 * An adapter is a protocol parser and nothing else. Per connection it implements
 * {@link org.streamasr.media.adapter.ProtocolSession} (text/binary in, results out through its
 * {@link org.streamasr.media.adapter.OutboundChannel}); per participant it builds one
 * {@link org.streamasr.media.ingest.ParticipantIngest} and pushes what it parsed:
 * <pre>{@code
 * ParticipantAudio audio = call.openParticipant(ParticipantSpec.of("caller"));
 *
 * // raw PCM (linear16 at any rate), per message; G.711 bytes go as packets to a G711Decoder (below)
 * ParticipantIngest in = ParticipantIngest.builder(audio, mediaPool, metrics, "deepgram").build();
 * in.onPcm(samples, 8000);                         // short[] mono, ownership passes
 * //   interleaved bytes: new InterleavedPcm(List.of(in), rate, bigEndian).acceptWhole(byteBuffer)
 *
 * // a packetised codec (Opus, G.711 or G.722 frames with a sequence index and a timestamp)
 * ParticipantIngest in = ParticipantIngest.builder(audio, mediaPool, metrics, "riva")
 *         .label("stream 7")
 *         .packets(AudioDecoders.open(CodecSpec.of(AudioCodec.OPUS)), 48_000, concealCap, silenceCap)
 *         .build();
 * in.onPacket(seq, timestamp, payloadBytes);      // never blocks; decoded on the media pool
 *
 * in.endTalk();                                    // the client said "end of utterance" (adds silence)
 * in.close().whenComplete((v, e) -> call.close()); // plays out, flushes, closes: finals follow
 * }</pre>
 * The media pool is the server's {@code MediaExecutors.cpu()} (the endpoints' {@code create(..., mediaPool, ...)}
 * receives it); socket-free tests pass {@code Runnable::run} and see every frame as soon as the call returns.
 * Counters: drops per reason on the adapter's {@link org.streamasr.runtime.DropCounter} (queue-overflow,
 * out-of-order, undecodable, ...), {@code <component>.packets.decoded}, {@code <component>.samples.concealed|fec|silence},
 * and {@link org.streamasr.media.ingest.ParticipantIngest#stageStats()} (one walk over the stages).
 *
 * <p>RTP ({@code org.streamasr.media.rtp.RtpStream}) assembles the same kind of chain from the same stage types:
 * its jitter buffer is a stage ({@code JitterStage}), followed by the same {@link DecodeStage} (RTP's gap policy:
 * one decoder per payload type, fill bounded by arrival times, the timeline re-based past the fill),
 * {@code ResampleStage} and {@code PcmFramer}.
 */
package org.streamasr.media.ingest;
