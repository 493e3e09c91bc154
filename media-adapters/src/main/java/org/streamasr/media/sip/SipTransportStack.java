package org.streamasr.media.sip;

import gov.nist.javax.sip.EventScanner;
import gov.nist.javax.sip.EventWrapper;
import gov.nist.javax.sip.SipStackImpl;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.EventObject;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sip.ListeningPoint;
import javax.sip.SipFactory;
import javax.sip.SipListener;
import javax.sip.SipProvider;
import javax.sip.SipStack;
import javax.sip.address.AddressFactory;
import javax.sip.header.HeaderFactory;
import javax.sip.message.MessageFactory;
import org.streamasr.media.sip.wire.WireScreen;

/**
 * One JAIN-SIP stack (Jitsi's build of the NIST reference implementation) listening on UDP and/or TCP on one port,
 * with a fixed threading model: a small pool of UDP reader threads, one NIO selector for TCP, the stack's timer, and
 * the listener called directly on those threads (re-entrant), which only hand work on. TCP connections are
 * screened before the stack parses their messages ({@link WireScreen}).
 */
final class SipTransportStack implements AutoCloseable {
    private static final AtomicInteger STACKS = new AtomicInteger();
    private static final int PORT_PROBES = 20;

    private final SipStack stack;
    private final EventScanner eventScanner;
    private final List<ListeningPoint> listeningPoints = new ArrayList<>();
    private final SipProvider provider;
    private final SipListener listener;
    private final int port;
    private final String stackName;
    final MessageFactory messages;
    final HeaderFactory headers;
    final AddressFactory addresses;

    /**
     * @param port        the SIP port for every transport; 0 picks a free one (the same number for UDP and TCP)
     * @param screen      what is checked before the stack parses a message (TCP: 400 and 413 answered, see
     *                    {@link WireScreen}); its header and body limits also bound what the stack reads over UDP
     */
    SipTransportStack(String bindAddress, int port, List<String> transports, int udpThreads, WireScreen screen,
                      SipListener listener) throws IOException {
        JainSipLog.install();
        SipFactory factory = SipFactory.getInstance();
        factory.setPathName("gov.nist");
        Properties p = new Properties();
        stackName = "streamasr-sip-" + STACKS.incrementAndGet();
        p.setProperty("javax.sip.STACK_NAME", stackName);
        p.setProperty("gov.nist.javax.sip.STACK_LOGGER", JainSipLog.class.getName());
        p.setProperty("gov.nist.javax.sip.SERVER_LOGGER", JainSipLog.Messages.class.getName());
        screen.install(p); // NIO transports, TCP screened
        p.setProperty("gov.nist.javax.sip.THREAD_POOL_SIZE", String.valueOf(udpThreads));
        p.setProperty("gov.nist.javax.sip.REENTRANT_LISTENER", "true");
        p.setProperty("gov.nist.javax.sip.MAX_MESSAGE_SIZE", String.valueOf(screen.maxHeadBytes() + screen.maxBodyBytes()));
        p.setProperty("gov.nist.javax.sip.CACHE_SERVER_CONNECTIONS", "true");
        p.setProperty("gov.nist.javax.sip.MAX_SERVER_TRANSACTIONS", "10000");
        p.setProperty("gov.nist.javax.sip.LOG_MESSAGE_CONTENT", "false");
        try {
            stack = factory.createSipStack(p);
            messages = factory.createMessageFactory();
            headers = factory.createHeaderFactory();
            addresses = factory.createAddressFactory();
        } catch (javax.sip.PeerUnavailableException e) {
            WireScreen.uninstall(stackName);
            throw new IOException("cannot create the SIP stack: " + e.getMessage(), e);
        }
        eventScanner = ((SipStackImpl) stack).getEventScanner();
        this.listener = listener;
        SipProvider created = null;
        int bound = -1;
        IOException last = null;
        for (int attempt = 0; attempt < (port == 0 ? PORT_PROBES : 1) && created == null; attempt++) {
            int candidate = port == 0 ? freePort(bindAddress, transports) : port;
            try {
                for (String t : transports) listeningPoints.add(stack.createListeningPoint(bindAddress, candidate, t));
                created = stack.createSipProvider(listeningPoints.get(0));
                for (ListeningPoint lp : listeningPoints.subList(1, listeningPoints.size())) created.addListeningPoint(lp);
                bound = candidate;
            } catch (Exception e) {
                last = new IOException("cannot listen for SIP on " + bindAddress + ":" + candidate + " " + transports + ": " + e.getMessage(), e);
                deleteListeningPoints();
            }
        }
        if (created == null) {
            shutdownStack();
            throw last;
        }
        provider = created;
        this.port = bound;
        try {
            provider.addSipListener(listener);
            stack.start();
        } catch (Exception e) {
            close();
            throw new IOException("cannot start the SIP stack: " + e.getMessage(), e);
        }
    }

    SipProvider provider() {
        return provider;
    }

    int port() {
        return port;
    }

    /** A port free on every transport at the time of asking; the caller retries if it is taken before binding. */
    private static int freePort(String bindAddress, List<String> transports) throws IOException {
        InetAddress addr = InetAddress.getByName(bindAddress);
        for (int i = 0; i < PORT_PROBES; i++) {
            int candidate;
            try (DatagramSocket udp = new DatagramSocket(new InetSocketAddress(addr, 0))) {
                candidate = udp.getLocalPort();
            }
            if (!transports.contains("tcp")) return candidate;
            try (ServerSocket tcp = new ServerSocket()) {
                tcp.bind(new InetSocketAddress(addr, candidate));
                return candidate;
            } catch (IOException taken) {
                // try another number
            }
        }
        throw new IOException("no port free for both UDP and TCP on " + bindAddress);
    }

    private void deleteListeningPoints() {
        for (ListeningPoint lp : listeningPoints) {
            try {
                stack.deleteListeningPoint(lp);
            } catch (Exception e) {
                // already gone with the stack
            }
        }
        listeningPoints.clear();
    }

    @Override
    public void close() {
        if (provider != null) {
            try {
                provider.removeSipListener(listener);
            } catch (RuntimeException e) {
                // the stack's stop below tears the provider down anyway
            }
        }
        // stop() closes providers and listening points itself; deleting them first costs a second of sleeps each
        shutdownStack();
    }

    private void shutdownStack() {
        stack.stop();
        WireScreen.uninstall(stackName);
        // This JAIN-SIP build leaves its event scanner thread parked in take() after stop(): wake it so it sees the stop.
        if (eventScanner != null) {
            eventScanner.forceStop();
            // an event whose source is the (now listener-less) provider is delivered to nobody; without a provider
            // (no port could be bound) an I/O event goes to the stack's listener, of which there is none
            eventScanner.addEvent(new EventWrapper(provider != null ? new EventObject(provider)
                    : new javax.sip.IOExceptionEvent(stack, "0.0.0.0", 0, "udp"), null));
        }
    }
}
