package org.streamasr.media.sip.wire;

import gov.nist.javax.sip.header.CSeq;
import gov.nist.javax.sip.header.CallID;
import gov.nist.javax.sip.header.ContentLength;
import gov.nist.javax.sip.header.From;
import gov.nist.javax.sip.header.RequestLine;
import gov.nist.javax.sip.header.StatusLine;
import gov.nist.javax.sip.header.To;
import gov.nist.javax.sip.header.Via;
import gov.nist.javax.sip.message.SIPMessage;
import gov.nist.javax.sip.parser.StringMsgParser;
import java.text.ParseException;
import java.util.Set;

/**
 * Parses a message as JAIN-SIP's UDP transport does: a malformed mandatory header (request or status line, Via,
 * From, To, Call-ID, CSeq, Content-Length) fails the message; any other malformed header is kept aside as unparsed
 * (see {@link SIPMessage#getUnrecognizedHeaders()}) and the message goes on without it.
 */
final class CoreHeaderCheck {
    private static final Set<Class<?>> MANDATORY = Set.of(RequestLine.class, StatusLine.class, Via.class, From.class,
            To.class, CallID.class, CSeq.class, ContentLength.class);

    /** A message failed on a mandatory header. */
    static final class MalformedHeaderException extends ParseException {
        final String headerName;

        MalformedHeaderException(String headerName, ParseException cause) {
            super("malformed " + headerName, cause.getErrorOffset());
            this.headerName = headerName;
            initCause(cause);
        }
    }

    private final StringMsgParser parser = new StringMsgParser();

    /** The parsed message; one caller at a time. */
    SIPMessage parse(byte[] message) throws ParseException {
        return parser.parseSIPMessage(message, true, false, (ex, msg, headerClass, header, text) -> {
            if (isMandatory(headerClass)) throw new MalformedHeaderException(nameOf(headerClass), ex);
            msg.addUnparsed(header);
        });
    }

    static boolean isMandatory(Class<?> headerClass) {
        return headerClass != null && MANDATORY.contains(headerClass);
    }

    static String nameOf(Class<?> headerClass) {
        if (headerClass == RequestLine.class) return "request line";
        if (headerClass == StatusLine.class) return "status line";
        if (headerClass == CallID.class) return "Call-ID header";
        if (headerClass == CSeq.class) return "CSeq header";
        if (headerClass == ContentLength.class) return "Content-Length header";
        return headerClass.getSimpleName() + " header";
    }
}
