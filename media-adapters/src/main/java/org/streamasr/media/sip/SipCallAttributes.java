package org.streamasr.media.sip;

import gov.nist.javax.sip.message.SIPMessage;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.sip.header.CallIdHeader;
import javax.sip.header.FromHeader;
import javax.sip.header.Header;
import javax.sip.header.ToHeader;
import javax.sip.message.Request;

/**
 * What a SIP call is labelled with in {@code GET /v1/calls} ({@code attributes}): both identities of the dialog
 * (From, the caller, also names its stream; To, whom it called), the Call-ID, Request-URI, transport, source address
 * and user agent, and whether it is a SIPREC recording session.
 */
final class SipCallAttributes {
    private SipCallAttributes() {
    }

    static Map<String, String> of(Request invite, boolean siprec) {
        Map<String, String> a = new LinkedHashMap<>();
        a.put("sip.call-id", ((CallIdHeader) invite.getHeader(CallIdHeader.NAME)).getCallId());
        a.put("sip.from", ((FromHeader) invite.getHeader(FromHeader.NAME)).getAddress().toString());
        a.put("sip.to", ((ToHeader) invite.getHeader(ToHeader.NAME)).getAddress().toString());
        a.put("sip.request-uri", invite.getRequestURI().toString());
        a.put("sip.transport", SipResponder.transportOf(invite));
        SIPMessage m = (SIPMessage) invite;
        if (m.getRemoteAddress() != null) a.put("sip.source", m.getRemoteAddress().getHostAddress() + ":" + m.getRemotePort());
        Header ua = invite.getHeader("User-Agent");
        if (ua != null) a.put("sip.user-agent", ua.toString().substring(ua.toString().indexOf(':') + 1).trim());
        if (siprec) a.put("siprec", "true");
        return a;
    }
}
