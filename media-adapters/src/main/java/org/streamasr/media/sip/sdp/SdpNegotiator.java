package org.streamasr.media.sip.sdp;

import java.util.ArrayList;
import java.util.List;
import org.streamasr.media.sip.srtp.SdesKey;
import org.streamasr.media.sip.srtp.UnsupportedCryptoException;

/**
 * The answerer's half of SDP offer/answer (RFC 3264) for a receive-only transcriber: per offered m= section, accept
 * an audio stream in a codec we decode (by our preference order) over a transport we speak, or refuse it with a
 * reason. Immutable; one per gateway.
 */
public final class SdpNegotiator {
    /** RFC 3261 warn-codes used in 488 answers. */
    public static final int WARN_TRANSPORT = 302;
    public static final int WARN_MEDIA_TYPE = 304;
    public static final int WARN_MEDIA_FORMAT = 305;
    public static final int WARN_MISC = 399;

    private final List<SdpCodec> preference;
    private final boolean acceptTelephoneEvent;
    private final SrtpMode srtp;

    public SdpNegotiator(List<SdpCodec> preference, boolean acceptTelephoneEvent, SrtpMode srtp) {
        if (preference.isEmpty()) throw new IllegalArgumentException("at least one codec must be enabled");
        this.preference = List.copyOf(preference);
        this.acceptTelephoneEvent = acceptTelephoneEvent;
        this.srtp = srtp;
    }

    public List<SdpCodec> preference() {
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

        SdpCodec chosen = null;
        String chosenPt = null;
        for (SdpCodec want : preference) {
            for (String pt : m.formats()) {
                if (SdpCodec.of(pt, m.rtpmap(pt)) == want) {
                    chosen = want;
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
                m.fmtp(chosenPt), eventPt, eventFmtp, address, m.port(), answerDirection, remoteKey));
    }

    private String names() {
        StringBuilder sb = new StringBuilder();
        for (SdpCodec c : preference) sb.append(sb.length() == 0 ? "" : ", ").append(c.encodingName());
        return sb.toString();
    }
}
