package org.streamasr.media.sip.sdp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class SdpParserTest {
    static final String BARESIP_OFFER = String.join("\r\n",
            "v=0",
            "o=- 1433937587 3466454025 IN IP4 127.0.0.1",
            "s=-",
            "c=IN IP4 127.0.0.1",
            "t=0 0",
            "m=audio 10000 RTP/AVP 96 9 0 8 101",
            "b=AS:64",
            "a=rtpmap:96 opus/48000/2",
            "a=fmtp:96 stereo=1;sprop-stereo=1",
            "a=rtpmap:101 telephone-event/8000",
            "a=fmtp:101 0-15",
            "a=sendrecv",
            "a=label:1",
            "a=ptime:20", "");

    @Test
    void readsACommonOffer() throws Exception {
        SessionDescription sd = SdpParser.parse(BARESIP_OFFER);
        assertEquals(1, sd.media().size());
        MediaDescription m = sd.media().get(0);
        assertEquals("audio", m.media());
        assertEquals(10000, m.port());
        assertEquals(List.of("96", "9", "0", "8", "101"), m.formats());
        assertEquals("opus/48000/2", m.rtpmap("96"));
        assertEquals("stereo=1;sprop-stereo=1", m.fmtp("96"));
        assertNull(m.rtpmap("9"));
        assertEquals("127.0.0.1", sd.connectionAddressOf(m));
        assertEquals(MediaDirection.SENDRECV, sd.directionOf(m));
        assertEquals("1", m.attribute("label"));
    }

    @Test
    void toleratesLfLineEndsAndUnknownLinesAndUsesMediaLevelConnection() throws Exception {
        SessionDescription sd = SdpParser.parse("v=0\no=x 1 1 IN IP4 h\ns=-\nt=0 0\nz=whatever\na=sendonly\n"
                + "m=audio 4000/2 RTP/AVP 0\nc=IN IP4 192.0.2.7/127\nm=video 0 RTP/AVP 31\n");
        assertEquals(2, sd.media().size());
        assertEquals("192.0.2.7", sd.connectionAddressOf(sd.media().get(0)));
        assertEquals(MediaDirection.SENDONLY, sd.directionOf(sd.media().get(0)));
        assertEquals(4000, sd.media().get(0).port());
    }

    @Test
    void refusesWhatCannotBeRead() {
        assertThrows(SdpParseException.class, () -> SdpParser.parse(""));
        assertThrows(SdpParseException.class, () -> SdpParser.parse("o=x\r\nv=0\r\n"));
        assertThrows(SdpParseException.class, () -> SdpParser.parse("v=0\r\nm=audio port RTP/AVP 0\r\n"));
        assertThrows(SdpParseException.class, () -> SdpParser.parse("v=0\r\nm=audio 70000 RTP/AVP 0\r\n"));
        assertThrows(SdpParseException.class, () -> SdpParser.parse("v=0\r\nm=audio 4000 RTP/AVP\r\n"));
        assertThrows(SdpParseException.class, () -> SdpParser.parse("v=0\r\nc=IN IP4\r\n"));
        assertThrows(SdpParseException.class, () -> SdpParser.parse("v=0\r\nthis is not sdp\r\n"));
        assertThrows(SdpParseException.class, () -> SdpParser.parse("v=0\r\na=:101 x\r\n"), "an a= line without a name");
        assertThrows(SdpParseException.class, () -> SdpParser.parse("v=0\r\n" + "m=audio 1 RTP/AVP 0\r\n".repeat(40)));
    }

    @Test
    void writesWhatItReads() throws Exception {
        SessionDescription sd = SdpParser.parse(BARESIP_OFFER);
        SessionDescription again = SdpParser.parse(sd.toSdp());
        assertEquals(sd.media(), again.media());
        assertEquals(sd.connection(), again.connection());
    }
}
