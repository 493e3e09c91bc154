package org.streamasr.media.sip;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A request we answer with an error: the status code, a reason phrase that says what was wrong, SIP warnings
 * (RFC 3261 section 20.43) and the headers the status code calls for (Unsupported with 420, Accept with 415, ...).
 */
final class SipRejection extends Exception {
    final int status;
    final List<Warning> warnings = new ArrayList<>();
    final Map<String, String> headers = new LinkedHashMap<>();

    record Warning(int code, String text) {
    }

    SipRejection(int status, String reason) {
        super(reason, null, false, false);
        this.status = status;
    }

    SipRejection warn(int code, String text) {
        warnings.add(new Warning(code, text));
        return this;
    }

    SipRejection header(String name, String value) {
        headers.put(name, value);
        return this;
    }

    String reason() {
        return getMessage();
    }
}
