package org.streamasr.media.sip;

import gov.nist.javax.sip.message.SIPMessage;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.text.ParseException;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.sip.ServerTransaction;
import javax.sip.SipProvider;
import javax.sip.address.Address;
import javax.sip.header.ContactHeader;
import javax.sip.header.Header;
import javax.sip.header.ToHeader;
import javax.sip.header.ViaHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.streamasr.runtime.DropCounter;

/** Builds and sends the gateway's responses: tags, Contact, capabilities, warnings; a failed send is counted, not thrown. */
final class SipResponder {
    static final String ALLOW = "INVITE, ACK, BYE, CANCEL, OPTIONS, UPDATE, INFO";
    /** Methods we know and refuse with 405 (RFC 3261 section 21.4.6); anything else is unknown: 501. */
    static final List<String> KNOWN_NOT_ALLOWED = List.of("REGISTER", "SUBSCRIBE", "NOTIFY", "PUBLISH", "MESSAGE", "REFER", "PRACK");
    static final String SUPPORTED = "siprec, timer";
    private static final Logger LOG = LoggerFactory.getLogger(SipResponder.class);

    private final SipTransportStack stack;
    private final SipGatewayConfig config;
    private final DropCounter drops;
    private final String serverHeader;

    SipResponder(SipTransportStack stack, SipGatewayConfig config, DropCounter drops) {
        this.stack = stack;
        this.config = config;
        this.drops = drops;
        this.serverHeader = "streamasr";
    }

    /** A response to {@code request}, with a To tag on anything but 100 (RFC 3261 section 8.2.6.2). */
    Response response(Request request, int status, String reason, String toTag) throws ParseException {
        Response r = stack.messages.createResponse(status, request);
        if (reason != null) r.setReasonPhrase(reason);
        ToHeader to = (ToHeader) r.getHeader(ToHeader.NAME);
        if (status != Response.TRYING && to != null && to.getTag() == null) to.setTag(toTag != null ? toTag : newTag());
        r.setHeader(stack.headers.createHeader("Server", serverHeader));
        return r;
    }

    Response rejection(Request request, SipRejection rejection, String toTag) throws ParseException {
        Response r = response(request, rejection.status, rejection.reason(), toTag);
        for (SipRejection.Warning w : rejection.warnings) {
            try {
                r.addHeader(stack.headers.createWarningHeader(agent(), w.code(), w.text()));
            } catch (javax.sip.InvalidArgumentException e) {
                throw new ParseException("bad warn-code " + w.code(), 0);
            }
        }
        for (Map.Entry<String, String> h : rejection.headers.entrySet()) set(r, h.getKey(), h.getValue());
        if (rejection.status == Response.METHOD_NOT_ALLOWED || rejection.status == Response.NOT_IMPLEMENTED) set(r, "Allow", ALLOW);
        return r;
    }

    /** Adds what we are and can do: Allow, Supported, Accept (OPTIONS answers and 2xx to INVITE). */
    void addCapabilities(Response r) throws ParseException {
        set(r, "Allow", ALLOW);
        set(r, "Supported", config.siprec() ? SUPPORTED : "timer");
        set(r, "Accept", config.siprec() ? OfferBody.ACCEPT : OfferBody.SDP);
    }

    /**
     * Replaces header {@code name} with {@code value}, which may be a comma-separated list (JAIN-SIP keeps one header
     * object per list element for Allow, Supported, Require, Accept, ...).
     */
    void set(javax.sip.message.Message m, String name, String value) throws ParseException {
        m.removeHeader(name);
        if (value.indexOf(',') < 0) {
            m.addHeader(stack.headers.createHeader(name, value));
            return;
        }
        for (Object h : ((gov.nist.javax.sip.header.HeaderFactoryImpl) stack.headers).createHeaders(name + ": " + value)) {
            if (h instanceof gov.nist.javax.sip.header.SIPHeaderList<?> list) {
                for (Object element : list) m.addHeader((Header) element);
            } else {
                m.addHeader((Header) h);
            }
        }
    }

    /** Our Contact for a dialog created by {@code request}; SIPREC recording sessions carry +sip.srs (RFC 7866 6.1.2). */
    ContactHeader contact(Request request, boolean srs) throws ParseException {
        String user = config.requiredUser() != null ? config.requiredUser() : "streamasr";
        String transport = transportOf(request);
        String host = hostFor(request);
        if (host.indexOf(':') >= 0) host = "[" + host + "]";
        Address a = stack.addresses.createAddress("sip:" + user + "@" + host + ":" + stack.port() + ";transport=" + transport);
        ContactHeader c = stack.headers.createContactHeader(a);
        if (srs) c.setParameter("+sip.srs", null);
        return c;
    }

    /**
     * The address peers should reach us on: the configured one, else the one this request came in on, else (a
     * wildcard bind) the local address the system routes to the peer through. Never 0.0.0.0, which SDP reads as hold.
     */
    String hostFor(Request request) {
        if (config.advertisedAddress() != null) return config.advertisedAddress();
        SIPMessage m = (SIPMessage) request;
        InetAddress local = m.getLocalAddress();
        if (local != null && !local.isAnyLocalAddress()) return local.getHostAddress();
        InetAddress peer = m.getRemoteAddress();
        if (peer != null) {
            // connecting a UDP socket sends nothing; it only asks the routing table for the source address
            try (DatagramSocket probe = new DatagramSocket()) {
                probe.connect(peer, m.getRemotePort() > 0 ? m.getRemotePort() : 5060);
                InetAddress routed = probe.getLocalAddress();
                if (routed != null && !routed.isAnyLocalAddress()) return routed.getHostAddress();
            } catch (IOException e) {
                drops.drop("no-route-to-peer", peer + ": " + e.getMessage());
            }
        }
        return InetAddress.getLoopbackAddress().getHostAddress();
    }

    static String transportOf(Request request) {
        ViaHeader via = (ViaHeader) request.getHeader(ViaHeader.NAME);
        return via == null || via.getTransport() == null ? "udp" : via.getTransport().toLowerCase(java.util.Locale.ROOT);
    }

    /** Sends on the transaction when there is one, statelessly otherwise; a peer that went away is only counted. */
    void send(SipProvider provider, ServerTransaction tx, Response response) {
        try {
            if (tx != null) tx.sendResponse(response);
            else provider.sendResponse(response);
        } catch (Exception e) {
            drops.drop("response-not-sent", response.getStatusCode() + " " + e.getMessage());
            LOG.debug("could not send {}: {}", response.getStatusCode(), e.toString());
        }
    }

    /** Answers {@code request} with the rejection's error response, counted as {@code rejected-<status>}. */
    void reject(SipProvider provider, ServerTransaction tx, Request request, SipRejection rejection, String toTag) {
        drops.drop("rejected-" + rejection.status, request.getMethod() + ": " + rejection.reason());
        try {
            send(provider, tx, rejection(request, rejection, toTag));
        } catch (ParseException e) {
            drops.drop("response-not-built", rejection.status + " " + e.getMessage());
        }
    }

    Header header(String name, String value) throws ParseException {
        return stack.headers.createHeader(name, value);
    }

    private String agent() {
        return "streamasr";
    }

    static String newTag() {
        return UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    }
}
