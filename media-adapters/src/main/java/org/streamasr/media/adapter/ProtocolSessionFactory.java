package org.streamasr.media.adapter;

/** Creates the protocol session of a new connection. */
@FunctionalInterface
public interface ProtocolSessionFactory {

    /**
     * @throws ConnectionRefusedException when the connection must not go on (bad credentials, no capacity); the
     *                                    glue closes it with the exception's code and message
     */
    ProtocolSession open(ConnectionInfo connection, OutboundChannel out) throws ConnectionRefusedException;
}
