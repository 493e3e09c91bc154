package org.streamasr.media.sip.siprec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.streamasr.media.sip.sdp.SdpParser;

class SiprecParsingTest {

    @Test
    void splitsSdpAndMetadataAndTiesLabelsToParticipants() throws Exception {
        String body = SiprecBodies.multipart(SiprecBodies.sdp("192.0.2.1", 6000, 6002), SiprecBodies.metadata("Alice", "Bob"));
        List<MultipartMixed.Part> parts = MultipartMixed.parse(body.getBytes(StandardCharsets.UTF_8),
                MultipartMixed.boundaryOf("multipart/mixed;boundary=" + SiprecBodies.BOUNDARY));
        assertEquals(2, parts.size());
        assertEquals("application/sdp", parts.get(0).contentType());
        assertEquals("application/rs-metadata+xml", parts.get(1).contentType());
        assertEquals("recording-session", parts.get(1).headers().get("content-disposition"));
        assertEquals(2, SdpParser.parse(parts.get(0).content()).media().size());

        RecordingMetadata md = RecordingMetadataParser.parse(parts.get(1).content());
        assertEquals("Alice", md.senderOfLabel("96").displayName());
        assertEquals("sip:alice@atlanta.com", md.senderOfLabel("96").aor());
        assertEquals("Bob", md.senderOfLabel("97").displayName());
        assertNull(md.senderOfLabel("98"));
    }

    @Test
    void readsThePreRfcDraftFormThatSbcsStillSend() throws Exception {
        RecordingMetadata md = RecordingMetadataParser.parse("<recording xmlns='urn:ietf:params:xml:ns:recording'>"
                + "<datamode>complete</datamode>"
                + "<participant id=\"p1\" session=\"s\"><aor>sip:+15551234@pbx</aor><send>st1</send><recv>st2</recv></participant>"
                + "<participant id=\"p2\" session=\"s\"><nameID aor=\"sip:agent@pbx\"><name>Agent 7</name></nameID><send>st2</send></participant>"
                + "<stream id=\"st1\" session=\"s\"><label>1</label></stream><stream id=\"st2\" session=\"s\"><label>2</label></stream>"
                + "</recording>");
        assertEquals("sip:+15551234@pbx", md.senderOfLabel("1").displayName());
        assertEquals("Agent 7", md.senderOfLabel("2").displayName());
    }

    @Test
    void partialUpdateChangesNamesAndAssociations() throws Exception {
        RecordingMetadata md = RecordingMetadataParser.parse(SiprecBodies.metadata("Alice", "Bob"));
        RecordingMetadata update = RecordingMetadataParser.parse("<recording xmlns='urn:ietf:params:xml:ns:recording:1'>"
                + "<datamode>partial</datamode>"
                + "<participant participant_id=\"c1\"><nameID aor=\"sip:carol@chicago.com\"><name>Carol</name></nameID></participant>"
                + "<participantsessionassoc participant_id=\"zSfPoSvdSDCmU3A3TRDxAw==\" session_id=\"hVpd7YQgRW2nD22h7q60JQ==\">"
                + "<disassociate-time>2010-12-16T23:45:07Z</disassociate-time></participantsessionassoc>"
                + "<participantstreamassoc participant_id=\"c1\"><send>i1Pz3to5hGk8fuXl+PbwCw==</send></participantstreamassoc>"
                + "</recording>");
        RecordingMetadata after = md.apply(update);
        assertEquals("Alice", after.senderOfLabel("96").displayName());
        assertEquals("Carol", after.senderOfLabel("97").displayName());

        RecordingMetadata snapshot = RecordingMetadataParser.parse(SiprecBodies.metadata("Alice Liddell", "Bob"));
        assertEquals("Alice Liddell", after.apply(snapshot).senderOfLabel("96").displayName());
    }

    @Test
    void malformedMultipartIsRefused() {
        byte[] noClose = "--b\r\nContent-Type: application/sdp\r\n\r\nv=0\r\n".getBytes(StandardCharsets.UTF_8);
        assertThrows(MalformedBodyException.class, () -> MultipartMixed.parse(noClose, "b"));
        assertThrows(MalformedBodyException.class, () -> MultipartMixed.parse("no boundary here".getBytes(StandardCharsets.UTF_8), "b"));
        assertThrows(MalformedBodyException.class, () -> MultipartMixed.parse("--b--\r\n".getBytes(StandardCharsets.UTF_8), "b"));
        assertThrows(MalformedBodyException.class, () -> MultipartMixed.parse("--b\r\nbroken header\r\n\r\nx\r\n--b--".getBytes(StandardCharsets.UTF_8), "b"));
        assertThrows(MalformedBodyException.class, () -> MultipartMixed.parse(new byte[0], null));
        assertNull(MultipartMixed.boundaryOf("multipart/mixed"));
        assertEquals("a b", MultipartMixed.boundaryOf("multipart/mixed; boundary=\"a b\""));
    }

    @Test
    void malformedOrHostileMetadataIsRefused() {
        assertThrows(MalformedBodyException.class, () -> RecordingMetadataParser.parse("<recording><participant>"));
        assertThrows(MalformedBodyException.class, () -> RecordingMetadataParser.parse("<other/>"));
        assertThrows(MalformedBodyException.class, () -> RecordingMetadataParser.parse("<recording><stream><label>1</label></stream></recording>"));
        MalformedBodyException xxe = assertThrows(MalformedBodyException.class, () -> RecordingMetadataParser.parse(
                "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><recording>&x;</recording>"));
        assertTrue(xxe.getMessage().contains("DOCTYPE"), xxe.getMessage());
    }
}
