package org.streamasr.media.sip.wire;

import gov.nist.javax.sip.parser.MessageParser;
import gov.nist.javax.sip.parser.MessageParserFactory;
import gov.nist.javax.sip.parser.StringMsgParser;
import gov.nist.javax.sip.stack.SIPTransactionStack;
import java.text.ParseException;

/**
 * The stack's message parser (JAIN-SIP's own), with the gateway's count of what the UDP transport refuses: where the
 * stack's listener fails a request on a malformed mandatory header, UDP answers 400, counted here as
 * {@code rejected-400}. Instantiated by JAIN-SIP by name ({@code MESSAGE_PARSER_FACTORY}).
 */
public final class CountingParserFactory implements MessageParserFactory {

    @Override
    public MessageParser createMessageParser(SIPTransactionStack stack) {
        WireScreen screen = WireScreen.of(stack);
        StringMsgParser parser = new StringMsgParser();
        return (bytes, readBody, strict, listener) -> {
            if (listener == null || startsWith(bytes, "SIP/")) return parser.parseSIPMessage(bytes, readBody, strict, listener);
            return parser.parseSIPMessage(bytes, readBody, strict, (ex, msg, headerClass, header, text) -> {
                try {
                    listener.handleException(ex, msg, headerClass, header, text);
                } catch (ParseException fatal) {
                    if (CoreHeaderCheck.isMandatory(headerClass)) {
                        screen.refused(400, "malformed " + CoreHeaderCheck.nameOf(headerClass) + " (udp)");
                    }
                    throw fatal;
                }
            });
        };
    }

    private static boolean startsWith(byte[] bytes, String prefix) {
        if (bytes.length < prefix.length()) return false;
        for (int i = 0; i < prefix.length(); i++) if (bytes[i] != prefix.charAt(i)) return false;
        return true;
    }
}
