package org.streamasr.media.sip.siprec;

/** SIPREC bodies shaped like RFC 7866 section 12's examples, for tests here and in the gateway tests. */
public final class SiprecBodies {
    public static final String BOUNDARY = "foobar";

    private SiprecBodies() {
    }

    public static String sdp(String address, int port1, int port2) {
        return "v=0\r\no=SRC 2890844526 2890842807 IN IP4 " + address + "\r\ns=-\r\nc=IN IP4 " + address + "\r\nt=0 0\r\n"
                + "m=audio " + port1 + " RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=label:96\r\na=sendonly\r\n"
                + "m=audio " + port2 + " RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=label:97\r\na=sendonly\r\n";
    }

    /** RFC 7865 form: participants with nameID, streams with labels, participantstreamassoc. */
    public static String metadata(String aliceName, String bobName) {
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n"
                + "<recording xmlns='urn:ietf:params:xml:ns:recording:1'>\r\n"
                + "  <datamode>complete</datamode>\r\n"
                + "  <group group_id=\"7+OTCyoxTmqmqyA/1weDAg==\"><associate-time>2010-12-16T23:41:07Z</associate-time></group>\r\n"
                + "  <session session_id=\"hVpd7YQgRW2nD22h7q60JQ==\"><sipSessionID>ab30317f1a784dc48ff824d0d3715d86;remote=47755a9de7794ba387653f2099600ef2</sipSessionID>"
                + "<group-ref>7+OTCyoxTmqmqyA/1weDAg==</group-ref></session>\r\n"
                + "  <participant participant_id=\"srfBElmCRp2QB23b7Mpk0w==\"><nameID aor=\"sip:alice@atlanta.com\"><name xml:lang=\"en\">"
                + aliceName + "</name></nameID></participant>\r\n"
                + "  <participant participant_id=\"zSfPoSvdSDCmU3A3TRDxAw==\"><nameID aor=\"sip:bob@biloxi.com\"><name xml:lang=\"en\">"
                + bobName + "</name></nameID></participant>\r\n"
                + "  <stream stream_id=\"UAAMm5GRQKSCMVvLyl4rFw==\" session_id=\"hVpd7YQgRW2nD22h7q60JQ==\"><label>96</label></stream>\r\n"
                + "  <stream stream_id=\"i1Pz3to5hGk8fuXl+PbwCw==\" session_id=\"hVpd7YQgRW2nD22h7q60JQ==\"><label>97</label></stream>\r\n"
                + "  <participantstreamassoc participant_id=\"srfBElmCRp2QB23b7Mpk0w==\"><send>UAAMm5GRQKSCMVvLyl4rFw==</send>"
                + "<recv>i1Pz3to5hGk8fuXl+PbwCw==</recv></participantstreamassoc>\r\n"
                + "  <participantstreamassoc participant_id=\"zSfPoSvdSDCmU3A3TRDxAw==\"><send>i1Pz3to5hGk8fuXl+PbwCw==</send>"
                + "<recv>UAAMm5GRQKSCMVvLyl4rFw==</recv></participantstreamassoc>\r\n"
                + "</recording>\r\n";
    }

    public static String multipart(String sdp, String metadata) {
        return "--" + BOUNDARY + "\r\nContent-Type: application/sdp\r\n\r\n" + sdp
                + "\r\n--" + BOUNDARY + "\r\nContent-Type: application/rs-metadata+xml\r\nContent-Disposition: recording-session\r\n\r\n"
                + metadata + "\r\n--" + BOUNDARY + "--\r\n";
    }
}
