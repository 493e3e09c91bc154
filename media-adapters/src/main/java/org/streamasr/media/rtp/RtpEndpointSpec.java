package org.streamasr.media.rtp;

import java.net.InetAddress;
import java.time.Duration;
import java.util.Locale;
import org.streamasr.media.codec.AudioCodec;
import org.streamasr.media.codec.CodecSpec;

/**
 * What one RTP port receives and how.
 *
 * @param payloadTypes          payload type → codec (plus telephone-event / CN to filter out)
 * @param participants          SSRC → participant
 * @param stream                jitter buffer, gap policy and queue of each participant's stream
 * @param inactivityTimeout     no packet for this long is reported once to the listener ({@code onInactive})
 * @param streamIdleTimeout     a participant whose SSRC sent nothing for this long is closed (final transcript)
 * @param maxStreams            participants one port may carry; packets of more are dropped ({@code too-many-streams})
 * @param audioLevelExtensionId negotiated RFC 6464 extension id, or 0
 * @param transformer           per-datagram hook before parsing (SRTP)
 * @param expectedRemote        accept packets from this host only, or {@code null} to latch onto the first sender
 */
public record RtpEndpointSpec(PayloadTypeMap payloadTypes, ParticipantResolver participants, RtpStreamConfig stream,
        Duration inactivityTimeout, Duration streamIdleTimeout, int maxStreams, int audioLevelExtensionId,
        PacketTransformer transformer, InetAddress expectedRemote) {
    /** The payload type most senders give telephone-event (RFC 4733) when nothing was negotiated. */
    static final int DEFAULT_TELEPHONE_EVENT_PT = 101;

    public RtpEndpointSpec {
        if (payloadTypes == null || participants == null || stream == null || transformer == null) {
            throw new IllegalArgumentException("payload types, participants, stream config and transformer must be given");
        }
        if (inactivityTimeout == null || inactivityTimeout.toMillis() < 100) {
            throw new IllegalArgumentException("inactivity timeout must be at least 100 ms");
        }
        if (streamIdleTimeout == null || streamIdleTimeout.toMillis() < 100) {
            throw new IllegalArgumentException("stream idle timeout must be at least 100 ms");
        }
        if (maxStreams < 1) throw new IllegalArgumentException("maxStreams must be >= 1");
        if (audioLevelExtensionId < 0 || audioLevelExtensionId > 255) {
            throw new IllegalArgumentException("audio level extension id must be 0..255");
        }
    }

    /** Defaults: per-SSRC participants, 100 ms jitter depth, 10 s inactivity report, 30 s stream idle, 32 streams. */
    public static RtpEndpointSpec of(PayloadTypeMap payloadTypes) {
        return new RtpEndpointSpec(payloadTypes, ParticipantResolver.perSsrc(), RtpStreamConfig.DEFAULT,
                Duration.ofSeconds(10), Duration.ofSeconds(30), 32, 0, PacketTransformer.NONE, null);
    }

    /**
     * The spec for an API request's {@code rtp: {codec, payloadType, sampleRate, channels}} (all but codec optional):
     * the codec's static payload type or 96, and without a payload type any other as well; 101 is telephone-event
     * either way (unless it is the payload type given); its RTP clock (Opus 48000, G.711/G.722 8000, L16 as given, default
     * 16000). Throws {@link IllegalArgumentException} with a message fit for an HTTP 400 answer.
     */
    public static RtpEndpointSpec forRequest(String codec, Integer payloadType, Integer sampleRate, Integer channels) {
        return forRequest(codec, payloadType, sampleRate, channels, null);
    }

    /**
     * As {@link #forRequest(String, Integer, Integer, Integer)}, with {@code rtp.audioLevelExtension}: the RFC 8285
     * header extension id under which the sender puts the RFC 6464 audio level (its {@code a=extmap} number for
     * {@code urn:ietf:params:rtp-hdrext:ssrc-audio-level}), or null for none. The level then travels on the frames.
     */
    public static RtpEndpointSpec forRequest(String codec, Integer payloadType, Integer sampleRate, Integer channels,
            Integer audioLevelExtension) {
        if (audioLevelExtension != null && (audioLevelExtension < 1 || audioLevelExtension > 255 || audioLevelExtension == 15)) {
            throw new IllegalArgumentException("rtp.audioLevelExtension " + audioLevelExtension + " is not a header"
                    + " extension id (1..14 in the one-byte form, up to 255 in the two-byte form; 15 is reserved)");
        }
        RtpEndpointSpec spec = forCodec(codec, payloadType, sampleRate, channels);
        return audioLevelExtension == null ? spec : spec.withAudioLevelExtension(audioLevelExtension);
    }

    private static RtpEndpointSpec forCodec(String codec, Integer payloadType, Integer sampleRate, Integer channels) {
        AudioCodec c = AudioCodec.byName(codec).orElseThrow(() -> new IllegalArgumentException(
                "rtp.codec '" + codec + "' is not one of opus, PCMU, PCMA, G722, L16"));
        int pt = payloadType != null ? payloadType : (c.staticPayloadType() >= 0 ? c.staticPayloadType() : 96);
        int rate = switch (c) {
            case OPUS -> 48_000;
            case PCMU, PCMA, G722 -> 8_000;
            case L16 -> sampleRate != null ? sampleRate : 16_000;
        };
        if (sampleRate != null && c != AudioCodec.L16 && sampleRate != rate
                && !(c == AudioCodec.G722 && sampleRate == 16_000)
                && !(c == AudioCodec.OPUS && sampleRate == 16_000)) {
            throw new IllegalArgumentException("rtp.sampleRate " + sampleRate + " does not fit " + c.rtpName()
                    + " (its RTP clock is " + rate + ")");
        }
        int ch = channels != null ? channels : c.defaultChannels();
        CodecSpec spec;
        try {
            spec = new CodecSpec(c, rate, ch);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("rtp: " + e.getMessage(), e);
        }
        PayloadTypeMap.Builder types = PayloadTypeMap.builder().audio(pt, spec);
        // 101, the number senders give telephone-event when nothing was negotiated, is DTMF and counted as such,
        // whether or not the request named the audio's own payload type (unless it named 101 for the audio)
        if (pt != DEFAULT_TELEPHONE_EVENT_PT) types.telephoneEvent(DEFAULT_TELEPHONE_EVENT_PT);
        if (payloadType == null) {
            // No payload type given: the port carries this one format, whatever dynamic number the sender picked
            // (ffmpeg sends Opus as 97, GStreamer as 96, FreeSWITCH and Asterisk as 111 or 107).
            types.otherwise(spec);
        }
        try {
            return of(types.build());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("rtp.payloadType: " + e.getMessage(), e);
        }
    }

    public RtpEndpointSpec withParticipants(ParticipantResolver resolver) {
        return new RtpEndpointSpec(payloadTypes, resolver, stream, inactivityTimeout, streamIdleTimeout, maxStreams,
                audioLevelExtensionId, transformer, expectedRemote);
    }

    public RtpEndpointSpec withStream(RtpStreamConfig config) {
        return new RtpEndpointSpec(payloadTypes, participants, config, inactivityTimeout, streamIdleTimeout, maxStreams,
                audioLevelExtensionId, transformer, expectedRemote);
    }

    public RtpEndpointSpec withTimeouts(Duration inactivity, Duration streamIdle) {
        return new RtpEndpointSpec(payloadTypes, participants, stream, inactivity, streamIdle, maxStreams,
                audioLevelExtensionId, transformer, expectedRemote);
    }

    public RtpEndpointSpec withTransformer(PacketTransformer t) {
        return new RtpEndpointSpec(payloadTypes, participants, stream, inactivityTimeout, streamIdleTimeout, maxStreams,
                audioLevelExtensionId, t, expectedRemote);
    }

    public RtpEndpointSpec withAudioLevelExtension(int id) {
        return new RtpEndpointSpec(payloadTypes, participants, stream, inactivityTimeout, streamIdleTimeout, maxStreams,
                id, transformer, expectedRemote);
    }

    public RtpEndpointSpec withExpectedRemote(InetAddress host) {
        return new RtpEndpointSpec(payloadTypes, participants, stream, inactivityTimeout, streamIdleTimeout, maxStreams,
                audioLevelExtensionId, transformer, host);
    }

    public RtpEndpointSpec withMaxStreams(int n) {
        return new RtpEndpointSpec(payloadTypes, participants, stream, inactivityTimeout, streamIdleTimeout, n,
                audioLevelExtensionId, transformer, expectedRemote);
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "RTP %s, jitter %d ms", payloadTypes, stream.jitterDepth().toMillis());
    }
}
