package org.streamasr.media.sip.wire;

import gov.nist.javax.sip.stack.MessageProcessor;
import gov.nist.javax.sip.stack.MessageProcessorFactory;
import gov.nist.javax.sip.stack.NioMessageProcessorFactory;
import gov.nist.javax.sip.stack.SIPTransactionStack;
import java.io.IOException;
import java.net.InetAddress;

/**
 * JAIN-SIP's NIO transports, with TCP connections screened by {@link ScreenedTcpChannel}. Instantiated by JAIN-SIP
 * by name ({@code MESSAGE_PROCESSOR_FACTORY}).
 */
public final class ScreenedProcessorFactory implements MessageProcessorFactory {
    private final NioMessageProcessorFactory nio = new NioMessageProcessorFactory();

    @Override
    public MessageProcessor createMessageProcessor(SIPTransactionStack stack, InetAddress address, int port, String transport)
            throws IOException {
        if ("tcp".equalsIgnoreCase(transport)) return new ScreenedTcpProcessor(address, stack, port, WireScreen.of(stack));
        return nio.createMessageProcessor(stack, address, port, transport);
    }
}
