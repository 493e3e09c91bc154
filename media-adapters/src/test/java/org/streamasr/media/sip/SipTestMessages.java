package org.streamasr.media.sip;

import java.nio.charset.StandardCharsets;

/** Builds SIP requests as a phone or SBC writes them, for the raw client. */
final class SipTestMessages {
    private SipTestMessages() {
    }

    static String offer(int rtpPort, String codecs) {
        return "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
                + "m=audio " + rtpPort + " RTP/AVP " + codecs + "\r\na=rtpmap:96 opus/48000/2\r\na=rtpmap:101 telephone-event/8000\r\n"
                + "a=fmtp:101 0-16\r\na=sendrecv\r\n";
    }

    static String request(RawSipClient c, String method, String user, String callId, int cseq, String fromTag, String toTag,
                          String contentType, String body, String... extra) {
        String uri = "sip:" + user + "@127.0.0.1";
        StringBuilder sb = new StringBuilder();
        sb.append(method).append(' ').append(uri).append(" SIP/2.0\r\n");
        sb.append(c.via(RawSipClient.branch())).append("\r\n");
        sb.append("Max-Forwards: 70\r\n");
        sb.append("From: \"Alice Caller\" <sip:alice@example.com>;tag=").append(fromTag).append("\r\n");
        sb.append("To: <").append(uri).append('>').append(toTag == null ? "" : ";tag=" + toTag).append("\r\n");
        sb.append("Call-ID: ").append(callId).append("\r\n");
        sb.append("CSeq: ").append(cseq).append(' ').append(method).append("\r\n");
        sb.append("Contact: <sip:alice@127.0.0.1:").append(c.localPort()).append(";transport=").append(c.transport).append(">\r\n");
        sb.append("User-Agent: raw-test\r\n");
        for (String h : extra) sb.append(h).append("\r\n");
        byte[] b = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        if (contentType != null) sb.append("Content-Type: ").append(contentType).append("\r\n");
        sb.append("Content-Length: ").append(b.length).append("\r\n\r\n");
        if (body != null) sb.append(body);
        return sb.toString();
    }

    /** The ACK for a 2xx: a new transaction in the dialog (RFC 3261 section 13.2.2.4). */
    static String ack(RawSipClient c, String user, String callId, int cseq, String fromTag, String toTag) {
        return request(c, "ACK", user, callId, cseq, fromTag, toTag, null, null);
    }

    /** Our answer to a request the gateway sent us (a refresh, a BYE): its Via, From, To, Call-ID and CSeq echoed. */
    static String answer(RawSipClient.Message request, int status, String reason, String contentType, String body, String... extra) {
        StringBuilder sb = new StringBuilder("SIP/2.0 ").append(status).append(' ').append(reason).append("\r\n");
        for (String via : request.headers("via")) sb.append("Via: ").append(via).append("\r\n");
        for (String h : new String[] {"From", "To", "Call-ID", "CSeq"}) sb.append(h).append(": ").append(request.header(h)).append("\r\n");
        for (String h : extra) sb.append(h).append("\r\n");
        byte[] b = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        if (contentType != null) sb.append("Content-Type: ").append(contentType).append("\r\n");
        sb.append("Content-Length: ").append(b.length).append("\r\n\r\n");
        if (body != null) sb.append(body);
        return sb.toString();
    }

    static String tagOf(String toHeader) {
        int i = toHeader.indexOf(";tag=");
        if (i < 0) return null;
        String t = toHeader.substring(i + 5);
        int semi = t.indexOf(';');
        return semi < 0 ? t.trim() : t.substring(0, semi).trim();
    }
}
