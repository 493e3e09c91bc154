package org.streamasr.media.sip;

import gov.nist.javax.sip.header.extensions.SessionExpiresHeader;
import gov.nist.javax.sip.message.SIPMessage;
import java.time.Duration;
import java.util.Iterator;
import java.util.Locale;
import javax.sip.header.Header;
import javax.sip.message.Request;
import javax.sip.message.Response;

/**
 * RFC 4028 session timers from the answering side (section 9), for an INVITE, re-INVITE or UPDATE.
 *
 * <ul>
 *   <li>A caller that supports timers ({@code Supported: timer}) and asks for an interval gets one: its own, or
 *       {@code asr.sip.session-expires} when that is shorter, but never below the request's {@code Min-SE}; below
 *       {@code asr.sip.min-session-expires} it gets 422 with our {@code Min-SE}.</li>
 *   <li>The refresher is the one the request names; when it names none, the caller ({@code uac}): we only listen.
 *       The answer carries {@code Require: timer} (section 9: a MUST for {@code uac}, a SHOULD for {@code uas}).</li>
 *   <li>A caller that does not support timers (the {@code Session-Expires} was put in by a proxy) gets no session
 *       timer at all: no {@code Session-Expires} or {@code Require: timer} in the answer, and the call is never
 *       ended on a timer it did not agree to.</li>
 *   <li>A {@code Session-Expires} or {@code Min-SE} that is not a number of seconds, or an unknown refresher, is 400.</li>
 * </ul>
 */
final class SessionTimerNegotiation {
    /** Who sends the refreshes, relative to the transaction the value is written in (RFC 4028 section 4). */
    enum Refresher { UAC, UAS }

    /**
     * A session timer agreed for the dialog.
     *
     * @param intervalSeconds the session interval
     * @param callerRefreshes true when the caller refreshes (we only watch for its refreshes); false when we do
     */
    record Grant(long intervalSeconds, boolean callerRefreshes) {
        /** The Session-Expires value of our 2xx to the caller's request. */
        String answerValue() {
            return intervalSeconds + ";refresher=" + (callerRefreshes ? "uac" : "uas");
        }

        /**
         * When the side that does not refresh gives up and sends BYE: the interval less the smaller of 32 s and a
         * third of it (RFC 4028 section 10).
         */
        Duration expiry() {
            return Duration.ofSeconds(intervalSeconds - Math.min(32, intervalSeconds / 3));
        }

        /** When the refresher refreshes: half the interval (RFC 4028 section 10). */
        Duration refreshAfter() {
            return Duration.ofMillis(intervalSeconds * 500);
        }
    }

    private SessionTimerNegotiation() {
    }

    /**
     * The session timer for the dialog after {@code request}, or {@code null} for none.
     *
     * @param ours    the interval we grant at most (asr.sip.session-expires)
     * @param minimum the smallest interval we accept (asr.sip.min-session-expires)
     */
    static Grant negotiate(Request request, Duration ours, Duration minimum) throws SipRejection {
        checkParsed(request);
        SessionExpiresHeader se = (SessionExpiresHeader) request.getHeader(SessionExpiresHeader.NAME);
        long requestMinSe = minSe(request);
        if (se == null || !supportsTimer(request)) return null;
        long asked = se.getExpires();
        long min = minimum.toSeconds();
        if (asked < min) {
            throw new SipRejection(422, "Session Interval Too Small").header("Min-SE", String.valueOf(min));
        }
        long granted = Math.max(Math.min(asked, ours.toSeconds()), Math.min(requestMinSe, asked));
        String refresher = se.getRefresher();
        boolean callerRefreshes;
        if (refresher == null || refresher.isEmpty()) {
            callerRefreshes = true;
        } else {
            switch (refresher.toLowerCase(Locale.ROOT)) {
                case "uac" -> callerRefreshes = true;
                case "uas" -> callerRefreshes = false;
                default -> throw new SipRejection(Response.BAD_REQUEST, "Bad Session-Expires refresher '" + refresher + "'");
            }
        }
        return new Grant(granted, callerRefreshes);
    }

    /** Whether the request says its sender implements session timers (Supported or Require: timer). */
    static boolean supportsTimer(Request request) {
        for (String name : new String[] {"Supported", "k", "Require"}) {
            for (Iterator<?> it = request.getHeaders(name); it.hasNext(); ) {
                String v = it.next().toString();
                for (String tag : v.substring(v.indexOf(':') + 1).split(",")) {
                    if (tag.trim().equalsIgnoreCase("timer")) return true;
                }
            }
        }
        return false;
    }

    /** The request's Min-SE in seconds; 90 (the RFC's floor) when it has none. */
    private static long minSe(Request request) throws SipRejection {
        Header h = request.getHeader("Min-SE");
        if (h == null) return 90;
        String v = h.toString();
        v = v.substring(v.indexOf(':') + 1).trim();
        int semi = v.indexOf(';');
        try {
            return Long.parseLong((semi < 0 ? v : v.substring(0, semi)).trim());
        } catch (NumberFormatException e) {
            throw new SipRejection(Response.BAD_REQUEST, "Bad Min-SE");
        }
    }

    /** JAIN-SIP sets aside a Session-Expires or Min-SE it cannot parse; such a request is malformed. */
    private static void checkParsed(Request request) throws SipRejection {
        for (Iterator<String> it = ((SIPMessage) request).getUnrecognizedHeaders(); it.hasNext(); ) {
            String raw = it.next();
            int colon = raw.indexOf(':');
            if (colon <= 0) continue;
            String name = raw.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            if (name.equals("session-expires") || name.equals("x")) {
                throw new SipRejection(Response.BAD_REQUEST, "Bad Session-Expires");
            }
            if (name.equals("min-se")) throw new SipRejection(Response.BAD_REQUEST, "Bad Min-SE");
        }
    }
}
