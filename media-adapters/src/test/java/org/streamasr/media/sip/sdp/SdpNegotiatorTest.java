package org.streamasr.media.sip.sdp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.streamasr.media.codec.AudioCodec;
import org.streamasr.media.codec.CodecSpec;
import org.streamasr.media.sip.srtp.SdesKey;
import org.streamasr.media.sip.srtp.SrtpSuite;

class SdpNegotiatorTest {
    private static final List<AudioCodec> ALL = List.of(AudioCodec.OPUS, AudioCodec.G722, AudioCodec.PCMU, AudioCodec.PCMA);

    @Test
    void picksByOurPreferenceNotTheOfferersAndKeepsTelephoneEvent() throws Exception {
        SessionDescription offer = SdpParser.parse(SdpParserTest.BARESIP_OFFER);
        StreamOffer s = new SdpNegotiator(List.of(AudioCodec.G722, AudioCodec.OPUS), true, SrtpMode.OPTIONAL).decide(offer).get(0).accepted();
        assertEquals(CodecSpec.of(AudioCodec.G722), s.codec());
        assertEquals(9, s.payloadType());
        assertEquals(101, s.telephoneEventType());
        assertEquals(MediaDirection.RECVONLY, s.answerDirection());
        assertEquals("127.0.0.1", s.remoteAddress());
        assertEquals(10000, s.remotePort());

        StreamOffer opus = new SdpNegotiator(ALL, false, SrtpMode.OPTIONAL).decide(offer).get(0).accepted();
        assertEquals(CodecSpec.of(AudioCodec.OPUS), opus.codec());
        assertEquals(96, opus.payloadType());
        assertEquals(-1, opus.telephoneEventType());
    }

    /**
     * RFC 6464 audio level (RFC 8285 extmap): taken from the media section, else the session level; not when the
     * offerer does not send it or gives an unusable id; kept in the answer as recvonly so the offerer goes on sending.
     */
    @Test
    void takesTheAudioLevelExtensionTheOffererSendsAndKeepsItInTheAnswer() throws Exception {
        String head = "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\n";
        String level = " urn:ietf:params:rtp-hdrext:ssrc-audio-level";
        SessionDescription offer = SdpParser.parse(head
                + "a=extmap:7" + level + "\r\n"                                               // session level
                + "m=audio 6000 RTP/AVP 0\r\na=extmap:1 urn:ietf:params:rtp-hdrext:sdes:mid\r\n"
                + "a=extmap:3/sendonly" + level + " vad=on\r\n"                                // media level wins
                + "m=audio 6002 RTP/AVP 0\r\n"                                                // only the session's
                + "m=audio 6004 RTP/AVP 0\r\na=extmap:5/recvonly" + level + "\r\n"           // not sent by it
                + "m=audio 6006 RTP/AVP 0\r\na=extmap:15" + level + "\r\n"                   // reserved id
                + "m=audio 6008 RTP/AVP 0\r\na=extmap:4096" + level + "\r\n");               // out of range
        List<StreamDecision> ds = new SdpNegotiator(ALL, true, SrtpMode.OPTIONAL).decide(offer);
        assertEquals(List.of(3, 7, 7, 7, 7), ds.stream().map(d -> d.accepted().audioLevelExtensionId()).toList(),
                "recvonly, 15 and 4096 fall back to the session's 7");
        SessionDescription noSessionLevel = SdpParser.parse(head + "m=audio 6000 RTP/AVP 0\r\na=extmap:5/inactive"
                + level + "\r\nm=audio 6002 RTP/AVP 0\r\na=extmap:x" + level + "\r\nm=audio 6004 RTP/AVP 0\r\n");
        assertEquals(List.of(0, 0, 0), new SdpNegotiator(ALL, true, SrtpMode.OPTIONAL).decide(noSessionLevel).stream()
                .map(d -> d.accepted().audioLevelExtensionId()).toList());

        SessionDescription answer = SdpParser.parse(SdpAnswerBuilder.answer(ds.subList(0, 1), "192.0.2.10",
                Map.of(0, 40000), Map.of(), 42, 1).toSdp());
        assertEquals(List.of("3/recvonly urn:ietf:params:rtp-hdrext:ssrc-audio-level"),
                answer.media().get(0).attributes("extmap"));
        SessionDescription plain = SdpParser.parse(SdpAnswerBuilder.answer(
                new SdpNegotiator(ALL, true, SrtpMode.OPTIONAL).decide(noSessionLevel).subList(0, 1), "192.0.2.10",
                Map.of(0, 40000), Map.of(), 42, 1).toSdp());
        assertEquals(List.of(), plain.media().get(0).attributes("extmap"), "nothing offered, nothing answered");
    }

    @Test
    void answersEveryOfferedSectionInOrderWithRefusalsAtPortZero() throws Exception {
        SessionDescription offer = SdpParser.parse("v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\n"
                + "m=video 5000 RTP/AVP 96\r\na=rtpmap:96 VP8/90000\r\n"
                + "m=audio 6000 RTP/AVP 18 3\r\n"
                + "m=audio 7000 RTP/AVP 8\r\na=sendonly\r\na=label:2\r\n"
                + "m=audio 8000 UDP/TLS/RTP/SAVPF 111\r\na=rtpmap:111 opus/48000/2\r\n");
        List<StreamDecision> ds = new SdpNegotiator(ALL, true, SrtpMode.OPTIONAL).decide(offer);
        assertEquals(SdpNegotiator.WARN_MEDIA_TYPE, ds.get(0).warningCode());
        assertEquals(SdpNegotiator.WARN_MEDIA_FORMAT, ds.get(1).warningCode());
        assertTrue(ds.get(2).isAccepted());
        assertEquals(SdpNegotiator.WARN_TRANSPORT, ds.get(3).warningCode());

        SessionDescription answer = SdpParser.parse(SdpAnswerBuilder.answer(ds, "192.0.2.10", Map.of(2, 40000), Map.of(), 42, 1).toSdp());
        assertEquals(4, answer.media().size());
        assertEquals(0, answer.media().get(0).port());
        assertEquals("video", answer.media().get(0).media());
        assertEquals(0, answer.media().get(1).port());
        MediaDescription a = answer.media().get(2);
        assertEquals(40000, a.port());
        assertEquals(List.of("8"), a.formats());
        assertEquals("PCMA/8000", a.rtpmap("8"));
        assertEquals("2", a.attribute("label"));
        assertEquals(MediaDirection.RECVONLY, a.direction());
        assertEquals("192.0.2.10", answer.connectionAddressOf(a));
        assertEquals(0, answer.media().get(3).port());
    }

    @Test
    void unsupportedCodecsOnlyLeaveNothingAccepted() throws Exception {
        SessionDescription offer = SdpParser.parse("v=0\r\nc=IN IP4 10.0.0.1\r\nm=audio 6000 RTP/AVP 18 3 97\r\na=rtpmap:97 speex/16000\r\n");
        StreamDecision d = new SdpNegotiator(ALL, true, SrtpMode.OPTIONAL).decide(offer).get(0);
        assertFalse(d.isAccepted());
        assertEquals(305, d.warningCode());
    }

    @Test
    void srtpOfferIsAnsweredWithTheSameTagAndSuiteAndAFreshKey() throws Exception {
        SdesKey theirs = SdesKey.generate(1, SrtpSuite.AES_CM_128_HMAC_SHA1_80, new SecureRandom());
        SessionDescription offer = SdpParser.parse("v=0\r\nc=IN IP4 10.0.0.1\r\nm=audio 6000 RTP/SAVP 0\r\n"
                + "a=crypto:1 AES_256_CM_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBRPS1uQCVeeCFCanVmcjkpPw==\r\n"
                + "a=crypto:2 " + theirs.toAttributeValue().substring(2) + "\r\n");
        StreamDecision d = new SdpNegotiator(ALL, true, SrtpMode.OPTIONAL).decide(offer).get(0);
        assertTrue(d.isAccepted());
        SdesKey remote = d.accepted().remoteKey();
        assertNotNull(remote);
        assertEquals(2, remote.tag());
        SdesKey ours = SdesKey.generate(remote.tag(), remote.suite(), new SecureRandom());
        SessionDescription answer = SdpParser.parse(SdpAnswerBuilder.answer(List.of(d), "10.0.0.2", Map.of(0, 30000), Map.of(0, ours), 1, 1).toSdp());
        MediaDescription m = answer.media().get(0);
        assertEquals("RTP/SAVP", m.proto());
        assertEquals(ours, SdesKey.parse(m.attribute("crypto")));

        assertEquals(SdpNegotiator.WARN_TRANSPORT, new SdpNegotiator(ALL, true, SrtpMode.OFF).decide(offer).get(0).warningCode());
        SessionDescription plain = SdpParser.parse("v=0\r\nc=IN IP4 10.0.0.1\r\nm=audio 6000 RTP/AVP 0\r\n");
        assertEquals(SdpNegotiator.WARN_TRANSPORT, new SdpNegotiator(ALL, true, SrtpMode.REQUIRED).decide(plain).get(0).warningCode());
        SessionDescription noKey = SdpParser.parse("v=0\r\nc=IN IP4 10.0.0.1\r\nm=audio 6000 RTP/SAVP 0\r\n");
        assertEquals(SdpNegotiator.WARN_MISC, new SdpNegotiator(ALL, true, SrtpMode.OPTIONAL).decide(noKey).get(0).warningCode());
    }

    @Test
    void inactiveOrRecvonlyOfferIsAnsweredInactive() throws Exception {
        SessionDescription offer = SdpParser.parse("v=0\r\nc=IN IP4 10.0.0.1\r\na=recvonly\r\nm=audio 6000 RTP/AVP 0\r\n");
        assertEquals(MediaDirection.INACTIVE, new SdpNegotiator(ALL, true, SrtpMode.OPTIONAL).decide(offer).get(0).accepted().answerDirection());
    }
}
