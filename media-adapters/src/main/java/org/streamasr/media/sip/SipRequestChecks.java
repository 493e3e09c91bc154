package org.streamasr.media.sip;

import java.util.Iterator;
import java.util.Locale;
import java.util.regex.Pattern;
import javax.sip.address.SipURI;
import javax.sip.header.CallIdHeader;
import javax.sip.header.ContactHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;

/** Checks of a request's headers that end in the error response RFC 3261 gives each failure. */
final class SipRequestChecks {
    /** RFC 3261 section 25.1: callid = word [ "@" word ]; JAIN-SIP's parser takes any text. */
    private static final String WORD = "[A-Za-z0-9\\-.!%*_+`'~()<>:\\\\\"/\\[\\]?{}]+";
    private static final Pattern CALL_ID = Pattern.compile(WORD + "(@" + WORD + ")?");

    private SipRequestChecks() {
    }

    /** 400 for a Call-ID that is not RFC 3261 syntax (spaces, separators, empty), on every transport alike. */
    static void checkCallId(Request request) throws SipRejection {
        CallIdHeader h = (CallIdHeader) request.getHeader(CallIdHeader.NAME);
        if (h == null || !CALL_ID.matcher(h.getCallId()).matches()) {
            throw new SipRejection(Response.BAD_REQUEST, "Malformed Call-ID");
        }
    }

    /** 404 unless the Request-URI is a SIP URI addressed to the configured user (when one is configured). */
    static void checkRequestUri(Request request, String requiredUser) throws SipRejection {
        if (!(request.getRequestURI() instanceof SipURI uri)) {
            throw new SipRejection(Response.UNSUPPORTED_URI_SCHEME, "Unsupported URI Scheme");
        }
        if (requiredUser != null && !requiredUser.equals(uri.getUser())) {
            throw new SipRejection(Response.NOT_FOUND, "Not Found");
        }
    }

    /** Throws 420 for an option tag we do not support (RFC 3261 section 8.2.2.3); says whether siprec was required. */
    static boolean requireUnsupported(Request request) throws SipRejection {
        boolean siprec = false;
        StringBuilder unsupported = new StringBuilder();
        for (Iterator<?> it = request.getHeaders("Require"); it.hasNext(); ) {
            String v = it.next().toString();
            for (String tag : v.substring(v.indexOf(':') + 1).split(",")) {
                String t = tag.trim().toLowerCase(Locale.ROOT);
                if (t.isEmpty()) continue;
                if (t.equals("siprec")) siprec = true;
                else if (!t.equals("timer")) unsupported.append(unsupported.length() == 0 ? "" : ", ").append(t);
            }
        }
        if (unsupported.length() > 0) throw new SipRejection(Response.BAD_EXTENSION, "Bad Extension").header("Unsupported", unsupported.toString());
        return siprec;
    }

    static boolean hasFeature(Request request, String feature) {
        for (Iterator<?> it = request.getHeaders(ContactHeader.NAME); it.hasNext(); ) {
            if (it.next() instanceof ContactHeader c && c.getParameter(feature) != null) return true;
        }
        return false;
    }
}
