package org.streamasr.media.sip.sdp;

import java.util.ArrayList;
import java.util.List;
import org.streamasr.media.codec.AudioCodec;
import org.streamasr.media.codec.CodecSpec;
import org.streamasr.media.sip.srtp.SdesKey;
import org.streamasr.media.sip.srtp.UnsupportedCryptoException;

/**
 * The answerer's half of SDP offer/answer (RFC 3264) for a receive-only transcriber: per offered m= section, accept
 * an audio stream in a codec we decode (by our preference order) over a transport we speak, or refuse it with a
 * reason; take the RFC 6464 audio level extension when the offerer sends it. Immutable; one per gateway.
 */
public final class SdpNegotiator {
    /** RFC 3261 warn-codes used in 488 answers. */
    public static final int WARN_TRANSPORT = 302;
    public static final int WARN_MEDIA_TYPE = 304;
    public static final int WARN_MEDIA_FORMAT = 305;
    public static final int WARN_MISC = 399;
    /** RFC 6464: the client-to-mixer audio level header extension. */
    public static final String AUDIO_LEVEL_URI = "urn:ietf:params:rtp-hdrext:ssrc-audio-level";

    private final List<AudioCodec> preference;
    private final boolean acceptTelephoneEvent;
    private final SrtpMode srtp;

    public SdpNegotiator(List<AudioCodec> preference, boolean acceptTelephoneEvent, SrtpMode srtp) {
        if (preference.isEmpty()) throw new IllegalArgumentException("at least one codec must be enabled");
        this.preference = List.copyOf(preference);
        this.acceptTelephoneEvent = acceptTelephoneEvent;
        this.srtp = srtp;
    }

    public List<AudioCodec> preference() {
        return preference;
    }

    /** One decision per m= section of the offer, in order. */
    public List<StreamDecision> decide(SessionDescription offer) {
        List<StreamDecision> out = new ArrayList<>(offer.media().size());
        for (int i = 0; i < offer.media().size(); i++) out.add(decide(offer, i));
        return out;
    }

    private StreamDecision decide(SessionDescription offer, int index) {
        MediaDescription m = offer.media().get(index);
        if (m.port() == 0) return StreamDecision.refuse(index, m, WARN_MISC, "stream disabled by the offerer");
        if (!m.media().equalsIgnoreCase("audio")) return StreamDecision.refuse(index, m, WARN_MEDIA_TYPE, "only audio is transcribed");
        if (!m.isRtpOverUdp()) return StreamDecision.refuse(index, m, WARN_TRANSPORT, "transport " + m.proto() + " not supported (RTP/AVP or RTP/SAVP with SDES)");
        if (m.isSecureRtp() && srtp == SrtpMode.OFF) return StreamDecision.refuse(index, m, WARN_TRANSPORT, "SRTP is disabled here");
        if (!m.isSecureRtp() && srtp == SrtpMode.REQUIRED) return StreamDecision.refuse(index, m, WARN_TRANSPORT, "SRTP is required here");
        String address = offer.connectionAddressOf(m);
        if (address == null) return StreamDecision.refuse(index, m, WARN_MISC, "no connection address for the stream");

        CodecSpec chosen = null;
        String chosenPt = null;
        for (AudioCodec want : preference) {
            for (String pt : m.formats()) {
                CodecSpec spec = codecOf(pt, m.rtpmap(pt));
                if (spec != null && spec.codec() == want) {
                    chosen = spec;
                    chosenPt = pt;
                    break;
                }
            }
            if (chosen != null) break;
        }
        if (chosen == null) {
            return StreamDecision.refuse(index, m, WARN_MEDIA_FORMAT, "no supported codec offered (we take " + names() + ")");
        }
        int payloadType;
        try {
            payloadType = Integer.parseInt(chosenPt);
        } catch (NumberFormatException e) {
            return StreamDecision.refuse(index, m, WARN_MEDIA_FORMAT, "bad payload type " + chosenPt);
        }
        if (payloadType < 0 || payloadType > 127) return StreamDecision.refuse(index, m, WARN_MEDIA_FORMAT, "bad payload type " + chosenPt);

        int eventPt = -1;
        String eventFmtp = null;
        if (acceptTelephoneEvent) {
            String fallback = null;
            for (String pt : m.formats()) {
                String map = m.rtpmap(pt);
                if (map == null || !map.toLowerCase(java.util.Locale.ROOT).startsWith("telephone-event/")) continue;
                if (map.substring("telephone-event/".length()).startsWith(String.valueOf(chosen.clockRate()))) {
                    fallback = pt;
                    break;
                }
                if (fallback == null) fallback = pt;
            }
            if (fallback != null && fallback.matches("\\d{1,3}") && Integer.parseInt(fallback) <= 127) {
                eventPt = Integer.parseInt(fallback);
                eventFmtp = m.fmtp(fallback);
            }
        }

        SdesKey remoteKey = null;
        if (m.isSecureRtp()) {
            String why = "no a=crypto line";
            for (String line : m.attributes("crypto")) {
                try {
                    remoteKey = SdesKey.parse(line);
                    break;
                } catch (UnsupportedCryptoException e) {
                    why = e.getMessage();
                }
            }
            if (remoteKey == null) {
                return StreamDecision.refuse(index, m, WARN_MISC, "no usable SDES key (" + why + "; we take AES_CM_128_HMAC_SHA1_80/32)");
            }
        }
        MediaDirection answerDirection = offer.directionOf(m).receiveOnlyAnswer();
        return StreamDecision.accept(index, m, new StreamOffer(index, m.attribute("label"), chosen, payloadType,
                m.fmtp(chosenPt), eventPt, eventFmtp, address, m.port(), answerDirection, remoteKey,
                audioLevelExtensionId(offer, m)));
    }

    /**
     * The id the offerer gives the RFC 6464 audio level ({@code a=extmap:ID[/direction] URI}, RFC 8285 section 5) in
     * this media section, else at session level; 0 when it offers none, offers it in a direction in which it does not
     * send it ({@code recvonly}, {@code inactive}), or with an id that is not a usable one (1..255, 15 excluded: it
     * stops a one-byte extension block).
     */
    static int audioLevelExtensionId(SessionDescription offer, MediaDescription m) {
        int id = audioLevelIn(m.attributes("extmap"));
        if (id != 0) return id;
        List<String> session = new ArrayList<>();
        for (SdpAttribute a : offer.attributes()) {
            if (a.name().equalsIgnoreCase("extmap") && a.value() != null) session.add(a.value());
        }
        return audioLevelIn(session);
    }

    private static int audioLevelIn(List<String> extmaps) {
        for (String v : extmaps) {
            String[] p = v.trim().split("\\s+");
            if (p.length < 2 || !p[1].equalsIgnoreCase(AUDIO_LEVEL_URI)) continue;
            String id = p[0];
            int slash = id.indexOf('/');
            if (slash >= 0) {
                String direction = id.substring(slash + 1).toLowerCase(java.util.Locale.ROOT);
                if (direction.equals("recvonly") || direction.equals("inactive")) continue;
                id = id.substring(0, slash);
            }
            if (!id.matches("\\d{1,3}")) continue;
            int n = Integer.parseInt(id);
            if (n >= 1 && n <= 255 && n != 15) return n;
        }
        return 0;
    }

    /** The codec of an offered format, from its rtpmap or, without one, its static payload type; null if we lack it. */
    static CodecSpec codecOf(String payloadType, String rtpmap) {
        try {
            if (rtpmap == null) {
                return AudioCodec.byStaticPayloadType(Integer.parseInt(payloadType)).map(CodecSpec::of).orElse(null);
            }
            String[] p = rtpmap.trim().split("/");
            if (p.length < 2) return null;
            AudioCodec codec = AudioCodec.byName(p[0]).filter(c -> c.rtpName().equalsIgnoreCase(p[0].trim())).orElse(null);
            if (codec == null) return null;
            int channels = p.length > 2 ? Integer.parseInt(p[2].trim()) : codec == AudioCodec.OPUS ? 2 : 1;
            return new CodecSpec(codec, Integer.parseInt(p[1].trim()), channels);
        } catch (IllegalArgumentException e) { // NumberFormatException included: a format we cannot read is one we lack
            return null;
        }
    }

    private String names() {
        StringBuilder sb = new StringBuilder();
        for (AudioCodec c : preference) sb.append(sb.length() == 0 ? "" : ", ").append(c.rtpName());
        return sb.toString();
    }
}
