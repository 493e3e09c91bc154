package org.streamasr.media.sip.sdp;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.streamasr.media.codec.AudioCodec;
import org.streamasr.media.sip.srtp.SdesKey;

/**
 * Writes the answer to an offer from the negotiator's decisions (RFC 3264 section 6): one m= section per offered
 * one, in order; refused ones with port 0; accepted ones with our receive port, the chosen codec (and
 * telephone-event), our direction, the stream's label, and our own SDES key where the offer was SRTP.
 */
public final class SdpAnswerBuilder {
    private SdpAnswerBuilder() {
    }

    /**
     * @param localAddress the address our RTP receivers listen on, as the offerer should reach it
     * @param ports        our receive port per accepted stream index
     * @param localKeys    our SDES key per accepted SRTP stream index
     * @param sessionId    the o= session id, fixed for the call
     * @param version      the o= version, incremented whenever the answer changes
     */
    public static SessionDescription answer(List<StreamDecision> decisions, String localAddress, Map<Integer, Integer> ports,
                                            Map<Integer, SdesKey> localKeys, long sessionId, long version) {
        String addrType = localAddress.indexOf(':') >= 0 ? "IP6" : "IP4";
        List<MediaDescription> media = new ArrayList<>(decisions.size());
        for (StreamDecision d : decisions) {
            MediaDescription offered = d.offered();
            if (!d.isAccepted()) {
                media.add(new MediaDescription(offered.media(), 0, offered.proto(), offered.formats(), null, List.of()));
                continue;
            }
            StreamOffer s = d.accepted();
            Integer port = ports.get(d.index());
            if (port == null) throw new IllegalArgumentException("no receive port for accepted stream " + d.index());
            List<String> formats = new ArrayList<>();
            List<SdpAttribute> attrs = new ArrayList<>();
            formats.add(String.valueOf(s.payloadType()));
            attrs.add(new SdpAttribute("rtpmap", s.payloadType() + " " + s.codec()));
            if (s.codec().codec() == AudioCodec.OPUS) attrs.add(new SdpAttribute("fmtp", s.payloadType() + " useinbandfec=1"));
            if (s.telephoneEventType() >= 0) {
                formats.add(String.valueOf(s.telephoneEventType()));
                attrs.add(new SdpAttribute("rtpmap", s.telephoneEventType() + " " + offered.rtpmap(String.valueOf(s.telephoneEventType()))));
                if (s.telephoneEventFmtp() != null) attrs.add(new SdpAttribute("fmtp", s.telephoneEventType() + " " + s.telephoneEventFmtp()));
            }
            if (s.audioLevelExtensionId() > 0) {
                // RFC 8285 section 6: the offerer sends an extension only if the answer keeps it; recvonly is a valid
                // answer to a sendrecv or sendonly offer of it, and says what we do (receive, never send)
                attrs.add(new SdpAttribute("extmap", s.audioLevelExtensionId() + "/recvonly " + SdpNegotiator.AUDIO_LEVEL_URI));
            }
            if (s.label() != null) attrs.add(new SdpAttribute("label", s.label()));
            if (s.secure()) {
                SdesKey key = localKeys.get(d.index());
                if (key == null) throw new IllegalArgumentException("no local SRTP key for stream " + d.index());
                attrs.add(new SdpAttribute("crypto", key.toAttributeValue()));
            }
            attrs.add(SdpAttribute.flag(s.answerDirection().attributeName()));
            media.add(new MediaDescription("audio", port, offered.proto(), formats, null, attrs));
        }
        return new SessionDescription("streamasr " + sessionId + " " + version + " IN " + addrType + " " + localAddress,
                "streamasr", "IN " + addrType + " " + localAddress, List.of(), media);
    }
}
