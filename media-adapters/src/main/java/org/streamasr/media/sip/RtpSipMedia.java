package org.streamasr.media.sip;

import java.io.IOException;
import java.util.function.LongConsumer;
import java.time.Duration;
import java.util.function.UnaryOperator;
import org.streamasr.media.CallHandle;
import org.streamasr.runtime.DropCounter;
import org.streamasr.media.MediaMetrics;
import org.streamasr.media.ParticipantAudio;
import org.streamasr.media.ParticipantSpec;
import org.streamasr.media.rtp.PacketTransformer;
import org.streamasr.media.rtp.ParticipantResolver;
import org.streamasr.media.rtp.PayloadTypeMap;
import org.streamasr.media.rtp.RtpEndpoint;
import org.streamasr.media.rtp.RtpEndpointSpec;
import org.streamasr.media.rtp.RtpEndpoints;
import org.streamasr.media.sip.sdp.StreamOffer;
import org.streamasr.media.sip.srtp.SrtpUnprotector;

/**
 * SIP media on the shared RTP receiver: one {@link RtpEndpoint} per negotiated stream, with the negotiated payload
 * types and RFC 6464 audio level extension id, SRTP undone by an {@link SrtpUnprotector} in the endpoint's packet
 * hook, every SSRC of the stream feeding its one participant, and the endpoint's inactivity report ending the call.
 */
public final class RtpSipMedia implements SipMediaFactory {
    /** Streams are not closed for idleness on their own: a SIP stream lives as long as its dialog. */
    private static final Duration NO_STREAM_IDLE = Duration.ofDays(1);

    private final RtpEndpoints rtp;
    private final UnaryOperator<RtpEndpointSpec> tuning;
    private final Duration inactivity;
    private final DropCounter srtpDrops;

    /**
     * @param tuning     the server's RTP receive settings (jitter depth, gap policy, queue) applied to every port
     * @param inactivity no RTP for this long ends the call with a BYE (asr.sip.rtp-timeout)
     */
    public RtpSipMedia(RtpEndpoints rtp, UnaryOperator<RtpEndpointSpec> tuning, Duration inactivity, MediaMetrics metrics) {
        this.rtp = rtp;
        this.tuning = tuning;
        this.inactivity = inactivity;
        this.srtpDrops = metrics.dropCounter("srtp");
    }

    @Override
    public SipMediaStream open(String callId, StreamOffer stream, ParticipantAudio audio, LongConsumer onInactive) throws IOException {
        PayloadTypeMap.Builder types = PayloadTypeMap.builder().audio(stream.payloadType(), stream.codec());
        if (stream.telephoneEventType() >= 0) types.telephoneEvent(stream.telephoneEventType());
        SrtpUnprotector srtp = stream.secure() ? new SrtpUnprotector(stream.remoteKey(), srtpDrops) : null;
        RtpEndpointSpec spec = tuning.apply(RtpEndpointSpec.of(types.build()))
                .withParticipants(ParticipantResolver.single(ParticipantSpec.of(audio.participantId())))
                .withTimeouts(inactivity, NO_STREAM_IDLE)
                .withMaxStreams(1)
                .withAudioLevelExtension(stream.audioLevelExtensionId())
                .withTransformer(srtp == null ? PacketTransformer.NONE : (packet, length) -> srtp.unprotect(packet, 0, length));
        RtpEndpoint endpoint;
        try {
            endpoint = rtp.open(spec, new OneParticipant(callId, audio), new RtpEndpoint.Listener() {
                @Override
                public void onInactive(Duration idle, long restartsSeen) {
                    onInactive.accept(restartsSeen);
                }
            });
        } catch (IOException | RuntimeException e) {
            if (srtp != null) srtp.close();
            throw e;
        }
        return new SipMediaStream() {
            @Override
            public int localPort() {
                return endpoint.localPort();
            }

            @Override
            public long restartInactivityTimer() {
                return endpoint.restartInactivityTimer();
            }

            @Override
            public void close() {
                endpoint.close();
                if (srtp != null) srtp.close();
            }
        };
    }

    /** The call as the endpoint sees it: its one stream is the participant the SIP call chose. */
    private record OneParticipant(String callId, ParticipantAudio audio) implements CallHandle {
        @Override
        public ParticipantAudio openParticipant(ParticipantSpec participant) {
            return audio;
        }

        @Override
        public void close() {
            // the SIP call owns the real call and closes it
        }
    }
}
