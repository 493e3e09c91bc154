package org.streamasr.media.sip.wire;

import gov.nist.javax.sip.message.SIPMessage;
import gov.nist.javax.sip.stack.NioTcpMessageChannel;
import gov.nist.javax.sip.stack.NioTcpMessageProcessor;
import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;

/**
 * One accepted SIP-over-TCP connection, screened before the stack sees its messages. JAIN-SIP's own TCP reader
 * closes the connection on a malformed mandatory header and on a message over its size limit, and allocates a
 * declared Content-Length before checking it; here each message is framed by {@link SipStreamFramer} and:
 * <ul>
 *   <li>a body over {@code maxBodyBytes} is answered 413 and skipped unread;</li>
 *   <li>a malformed request line, Via, From, To, Call-ID, CSeq or Content-Length is answered 400 (as the stack does
 *       over UDP), and the connection goes on;</li>
 *   <li>a header block too long or a Content-Length that is not a number loses the framing: 400 where the headers
 *       allow an answer, then the connection is closed;</li>
 *   <li>anything else is parsed once (other malformed headers are set aside, as over UDP) and handed to the stack.</li>
 * </ul>
 * Runs on the stack's selector thread, like the reader it replaces.
 */
final class ScreenedTcpChannel extends NioTcpMessageChannel {
    private final WireScreen screen;
    private final SipStreamFramer framer;
    private final CoreHeaderCheck check = new CoreHeaderCheck();

    ScreenedTcpChannel(NioTcpMessageProcessor processor, SocketChannel socket, WireScreen screen) throws IOException {
        super(processor, socket);
        this.messageProcessor = processor;
        this.screen = screen;
        this.framer = new SipStreamFramer(screen.maxBodyBytes(), screen.maxHeadBytes(), new SipStreamFramer.Handler() {
            @Override
            public void message(byte[] message) throws Exception {
                received(message);
            }

            @Override
            public void keepAlive(byte[] crlf) throws Exception {
                passToStackReader(crlf); // its reader answers RFC 5626 pings
            }

            @Override
            public void oversized(String head, long contentLength) throws IOException {
                screen.refused(413, "body of " + contentLength + " bytes over tcp");
                answer(RawRequestAnswer.build(head, 413, "Request Entity Too Large",
                        "body of " + contentLength + " bytes; at most " + screen.maxBodyBytes()));
            }
        });
    }

    @Override
    protected void addBytes(byte[] bytes) throws Exception {
        try {
            framer.feed(bytes);
        } catch (SipStreamFramer.UnframeableException e) {
            screen.drops().drop("tcp-unframeable", e.getMessage());
            if (e.head != null) {
                String answer = RawRequestAnswer.build(e.head, 400, "Bad Request", e.getMessage());
                if (answer != null) screen.refused(400, e.getMessage() + " (tcp)");
                answer(answer);
            }
            throw e; // the stack's reader closes the connection
        }
    }

    private void passToStackReader(byte[] bytes) throws Exception {
        super.addBytes(bytes);
    }

    private void received(byte[] bytes) throws IOException {
        SIPMessage message;
        try {
            message = check.parse(bytes);
        } catch (ParseException e) {
            String head = new String(bytes, StandardCharsets.UTF_8);
            int end = head.indexOf("\r\n\r\n");
            String answer = RawRequestAnswer.build(end < 0 ? head : head.substring(0, end + 2), 400, "Bad Request",
                    e.getMessage());
            if (answer != null) {
                screen.refused(400, e.getMessage() + " (tcp)");
                answer(answer);
            } else {
                screen.drops().drop("unparseable", e.getMessage() + " (tcp)");
            }
            return;
        }
        try {
            processMessage(message);
        } catch (Exception e) {
            screen.drops().drop("tcp-message-failed", e.toString());
        }
    }

    private void answer(String response) throws IOException {
        if (response != null) sendMessage(response.getBytes(StandardCharsets.UTF_8), false);
    }
}
