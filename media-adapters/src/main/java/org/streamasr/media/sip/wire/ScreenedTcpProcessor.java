package org.streamasr.media.sip.wire;

import gov.nist.javax.sip.stack.NioTcpMessageChannel;
import gov.nist.javax.sip.stack.NioTcpMessageProcessor;
import gov.nist.javax.sip.stack.SIPTransactionStack;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.channels.SocketChannel;

/** JAIN-SIP's NIO TCP listener, whose accepted connections are {@link ScreenedTcpChannel}s. */
final class ScreenedTcpProcessor extends NioTcpMessageProcessor {
    private final WireScreen screen;

    ScreenedTcpProcessor(InetAddress address, SIPTransactionStack stack, int port, WireScreen screen) {
        super(address, stack, port);
        this.screen = screen;
    }

    /** Called by the selector thread for each accepted connection (what NioTcpMessageChannel.create does, screened). */
    @Override
    public NioTcpMessageChannel createMessageChannel(NioTcpMessageProcessor processor, SocketChannel socket) throws IOException {
        NioTcpMessageChannel existing = NioTcpMessageChannel.getMessageChannel(socket);
        if (existing != null) return existing;
        ScreenedTcpChannel channel = new ScreenedTcpChannel(processor, socket, screen);
        NioTcpMessageChannel.putMessageChannel(socket, channel);
        return channel;
    }
}
