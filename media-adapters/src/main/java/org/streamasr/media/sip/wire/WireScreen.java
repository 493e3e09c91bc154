package org.streamasr.media.sip.wire;

import gov.nist.javax.sip.stack.SIPTransactionStack;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import javax.sip.SipStack;
import org.streamasr.runtime.DropCounter;

/**
 * What the gateway checks on the wire before JAIN-SIP parses a message, per stack: on TCP a malformed mandatory
 * header is answered 400 and a body over {@code maxBodyBytes} 413 (the stack itself would drop or close silently);
 * on UDP the stack answers 400 itself and the screen only counts it. Each refusal is counted as
 * {@code rejected-<status>} in {@code drops}.
 *
 * <p>JAIN-SIP instantiates its processor and parser factories by class name, so each stack's screen is looked up
 * by the stack's name: {@link #install} before the stack is created, {@link #uninstall} when it is closed.
 *
 * @param maxBodyBytes largest body passed on to the stack; larger ones get 413 over TCP
 * @param maxHeadBytes longest header block read over TCP; past it the connection is closed
 * @param drops        where refusals and framing failures are counted
 */
public record WireScreen(int maxBodyBytes, int maxHeadBytes, DropCounter drops) {
    private static final Map<String, WireScreen> BY_STACK = new ConcurrentHashMap<>();

    /** Registers this screen for the stack named in {@code stackProperties} and names our factories there. */
    public void install(Properties stackProperties) {
        BY_STACK.put(stackProperties.getProperty("javax.sip.STACK_NAME"), this);
        stackProperties.setProperty("gov.nist.javax.sip.MESSAGE_PROCESSOR_FACTORY", ScreenedProcessorFactory.class.getName());
        stackProperties.setProperty("gov.nist.javax.sip.MESSAGE_PARSER_FACTORY", CountingParserFactory.class.getName());
    }

    public static void uninstall(String stackName) {
        BY_STACK.remove(stackName);
    }

    static WireScreen of(SIPTransactionStack stack) {
        WireScreen s = stack instanceof SipStack named ? BY_STACK.get(named.getStackName()) : null;
        if (s == null) throw new IllegalStateException("no wire screen installed for this SIP stack");
        return s;
    }

    void refused(int status, String detail) {
        drops.drop("rejected-" + status, detail);
    }
}
