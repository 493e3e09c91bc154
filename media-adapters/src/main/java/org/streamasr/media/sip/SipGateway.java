package org.streamasr.media.sip;

import gov.nist.javax.sip.message.SIPMessage;
import java.io.IOException;
import java.text.ParseException;
import java.time.Duration;
import java.util.Collection;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sip.DialogTerminatedEvent;
import javax.sip.IOExceptionEvent;
import javax.sip.RequestEvent;
import javax.sip.ResponseEvent;
import javax.sip.ServerTransaction;
import javax.sip.ClientTransaction;
import javax.sip.SipListener;
import javax.sip.SipProvider;
import javax.sip.TimeoutEvent;
import javax.sip.TransactionAlreadyExistsException;
import javax.sip.TransactionTerminatedEvent;
import javax.sip.TransactionUnavailableException;
import javax.sip.header.CallIdHeader;
import javax.sip.header.FromHeader;
import javax.sip.header.ToHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.streamasr.runtime.ExecutorShutdown;
import org.streamasr.runtime.NamedThreads;
import org.streamasr.media.CallSink;
import org.streamasr.runtime.DropCounter;
import org.streamasr.media.MediaMetrics;
import org.streamasr.media.ParticipantSpec;
import org.streamasr.media.TranscriptEvent;
import org.streamasr.media.TranscriptListener;
import org.streamasr.media.sip.SessionTimerNegotiation.Grant;
import org.streamasr.media.sip.sdp.SdpNegotiator;
import org.streamasr.media.sip.sdp.SrtpMode;
import org.streamasr.media.sip.srtp.SrtpUnprotector;
import org.streamasr.media.sip.wire.WireScreen;
import org.streamasr.runtime.SerialExecutor;

/**
 * The SIP endpoint of the plugin: a user agent server on UDP and TCP that PBXs call (one transcribed participant, the
 * caller) and SBCs record to (SIPREC, RFC 7866: one participant per recorded stream, named by the metadata). It
 * answers INVITEs with an SDP answer pointing at the media adapters' RTP receivers and hands decoded audio to the
 * {@link CallSink}; calls end on BYE, CANCEL, media inactivity, session-timer expiry or the call limit, with a BYE
 * from us where we end them.
 *
 * <p>Threads: JAIN-SIP's reader threads run {@link #processRequest} and only validate, parse and queue; each call's
 * signalling then runs in order on a small worker pool; one timer thread arms session and duration limits.
 */
public final class SipGateway implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SipGateway.class);
    private static final int CALL_QUEUE_CAPACITY = 32;
    /** The longest header block read over TCP (SBCs' INVITEs with long Via and P- header chains stay far below). */
    private static final int MAX_HEADER_BYTES = 32 * 1024;
    private static final AtomicInteger GATEWAYS = new AtomicInteger();

    final SipGatewayConfig config;
    final CallSink sink;
    final SipMediaFactory media;
    final SdpNegotiator negotiator;
    final SipResponder responder;
    final SipTimers timers;
    private final ThreadPoolExecutor workers;
    private final SourceFilter sources;
    private final DropCounter drops;
    private final MediaMetrics metrics;
    private final Map<String, SipCall> calls = new ConcurrentHashMap<>();
    private final Object admission = new Object();
    private final SipTransportStack stack;
    private volatile boolean closing;

    public SipGateway(SipGatewayConfig config, CallSink sink, SipMediaFactory media, MediaMetrics metrics) throws IOException {
        this(config, sink, media, metrics, SipTimers.onThread("sip-timer-" + (GATEWAYS.get() + 1)));
    }

    /** With the call timers given (tests advance them by hand); the gateway closes them. */
    SipGateway(SipGatewayConfig config, CallSink sink, SipMediaFactory media, MediaMetrics metrics, SipTimers timers)
            throws IOException {
        this.config = config;
        this.sink = sink;
        this.media = media;
        this.metrics = metrics;
        this.drops = metrics.dropCounter("sip");
        this.sources = new SourceFilter(config.allowedSources());
        this.negotiator = new SdpNegotiator(config.codecs(), config.telephoneEvent(), config.srtp());
        if (config.srtp() != SrtpMode.OFF) SrtpUnprotector.warmUp();
        int n = GATEWAYS.incrementAndGet();
        AtomicInteger threads = new AtomicInteger();
        this.workers = new ThreadPoolExecutor(config.workerThreads(), config.workerThreads(), 0, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(config.maxCalls() * 4 + 64),
                r -> daemon(r, "sip-worker-" + n + "-" + threads.incrementAndGet()));
        this.timers = timers;
        try {
            this.stack = new SipTransportStack(config.bindAddress(), config.port(), config.transports(), 2,
                    new WireScreen(config.maxBodyBytes(), MAX_HEADER_BYTES, drops), new Listener());
        } catch (IOException | RuntimeException e) {
            workers.shutdownNow();
            timers.close();
            throw e;
        }
        this.responder = new SipResponder(stack, config, drops);
        LOG.info("SIP gateway listening on {}:{} ({}), codecs {}, SRTP {}, SIPREC {}", config.bindAddress(), stack.port(),
                config.transports(), config.codecs(), config.srtp(), config.siprec() ? "on" : "off");
    }

    /** The SIP port (the same for every transport). */
    public int port() {
        return stack.port();
    }

    /** The transports listened on ("udp", "tcp"), as configured. */
    public java.util.List<String> transports() {
        return config.transports();
    }

    public int activeCalls() {
        return calls.size();
    }

    /** Ends every call with a BYE, then stops listening. */
    @Override
    public void close() {
        if (closing) return;
        closing = true;
        for (SipCall call : calls.values()) call.tasks.offer(() -> call.end("server shutting down", true));
        ExecutorShutdown.stop(workers, Duration.ofSeconds(5), "SIP workers", LOG);
        // a call whose lane was running a task (an ACK, say) when the pool stopped had its end task refused: the pool
        // is stopped now, so end those calls here (end is idempotent)
        for (SipCall call : java.util.List.copyOf(calls.values())) call.end("server shutting down", true);
        timers.close();
        stack.close();
        LOG.info("SIP gateway on port {} stopped", stack.port());
    }

    // ---- called by SipCall ----

    boolean isClosing() {
        return closing;
    }

    SerialExecutor newQueue() {
        return new SerialExecutor(workers, CALL_QUEUE_CAPACITY, 64, SerialExecutor.WhenPoolRefuses.REFUSE,
                (task, e) -> countError("call-task-failed", e));
    }

    String callIdOf(Request request) {
        return ((CallIdHeader) request.getHeader(CallIdHeader.NAME)).getCallId();
    }

    TranscriptListener transcriptsFor(SipCall call) {
        return new TranscriptListener() {
            @Override
            public void onTranscript(TranscriptEvent event) {
                // captions reach subscribers through the server's captions socket; SIP carries none
            }

            @Override
            public void onCallEnded(String callId, String reason) {
                // ended elsewhere (API, idle timeout, shutdown): hang up; a call we ended ourselves ignores this
                call.tasks.offer(() -> call.end(reason == null ? "call ended" : reason, true));
            }
        };
    }

    void callStarted(SipCall call) {
        metrics.counter("sip.calls.started").increment();
        LOG.info("SIP call {} answered (Call-ID {})", call.callId(), call.sipCallId);
    }

    void callEnded(SipCall call, String reason) {
        metrics.counter("sip.calls.ended").increment();
        LOG.info("SIP call {} ended: {}", call.callId(), reason);
    }

    void forget(SipCall call) {
        calls.remove(call.sipCallId, call);
    }

    void countError(String reason, Throwable e) {
        drops.drop(reason, e.toString());
        LOG.debug("SIP {}", reason, e);
    }

    // ---- the listener, on JAIN-SIP threads ----

    private final class Listener implements SipListener {
        @Override
        public void processRequest(RequestEvent event) {
            Request request = event.getRequest();
            SipProvider provider = (SipProvider) event.getSource();
            metrics.counter("sip.requests").increment();
            try {
                dispatch(provider, event.getServerTransaction(), request);
            } catch (RuntimeException e) {
                countError("request-failed", e);
            }
        }

        @Override
        public void processResponse(ResponseEvent event) {
            // answers to our session refreshes matter; those to our BYEs need nothing
            Response response = event.getResponse();
            SipCall call = calls.get(((CallIdHeader) response.getHeader(CallIdHeader.NAME)).getCallId());
            ClientTransaction ct = event.getClientTransaction();
            if (call != null && ct != null) call.tasks.offer(() -> call.responded(ct, response));
        }

        @Override
        public void processTimeout(TimeoutEvent event) {
            drops.drop("transaction-timeout", event.getTimeout().toString());
            ClientTransaction ct = event.isServerTransaction() ? null : event.getClientTransaction();
            SipCall call = ct == null ? null : calls.get(callIdOf(ct.getRequest()));
            if (call != null) call.tasks.offer(() -> call.timedOut(ct));
        }

        @Override
        public void processIOException(IOExceptionEvent event) {
            drops.drop("io-error", event.getHost() + ":" + event.getPort() + "/" + event.getTransport());
        }

        @Override
        public void processTransactionTerminated(TransactionTerminatedEvent event) {
        }

        @Override
        public void processDialogTerminated(DialogTerminatedEvent event) {
            SipCall call = calls.get(event.getDialog().getCallId().getCallId());
            if (call != null) call.tasks.offer(() -> call.end("dialog ended", false));
        }
    }

    private void dispatch(SipProvider provider, ServerTransaction given, Request request) {
        String method = request.getMethod();
        SipCall call = calls.get(callIdOf(request));
        if (Request.ACK.equals(method)) {
            if (call != null) call.tasks.offer(call::acked);
            return;
        }
        ServerTransaction tx = given;
        if (tx == null) {
            try {
                tx = provider.getNewServerTransaction(request);
            } catch (TransactionAlreadyExistsException retransmission) {
                return; // the transaction layer answers retransmissions itself
            } catch (TransactionUnavailableException e) {
                tx = null; // answer statelessly
            }
        }
        dispatch(provider, tx, request, method, call);
    }

    private void dispatch(SipProvider provider, ServerTransaction tx, Request request, String method, SipCall call) {
        if (!sources.admits(((SIPMessage) request).getRemoteAddress())) {
            reject(provider, tx, request, new SipRejection(Response.FORBIDDEN, "Source address not allowed"));
            return;
        }
        try {
            SipRequestChecks.checkCallId(request);
        } catch (SipRejection r) {
            reject(provider, tx, request, r);
            return;
        }
        boolean inDialog = ((ToHeader) request.getHeader(ToHeader.NAME)).getTag() != null;
        switch (method) {
            case Request.INVITE -> {
                if (!inDialog) initialInvite(provider, tx, request, call);
                else inDialog(provider, tx, request, call, () -> modify(provider, tx, request, call));
            }
            case Request.UPDATE -> inDialog(provider, tx, request, call, () -> modify(provider, tx, request, call));
            case Request.BYE -> inDialog(provider, tx, request, call, () -> call.bye(tx, request));
            case Request.CANCEL -> cancel(provider, tx, request, call);
            case Request.INFO -> inDialog(provider, tx, request, call, () -> ok(provider, tx, request, false));
            case Request.OPTIONS -> ok(provider, tx, request, true);
            default -> {
                boolean known = SipResponder.KNOWN_NOT_ALLOWED.contains(method.toUpperCase(Locale.ROOT));
                reject(provider, tx, request, known ? new SipRejection(Response.METHOD_NOT_ALLOWED, "Method Not Allowed")
                        : new SipRejection(Response.NOT_IMPLEMENTED, "Not Implemented"));
            }
        }
    }

    private void initialInvite(SipProvider provider, ServerTransaction tx, Request request, SipCall existing) {
        if (tx == null) {
            reject(provider, null, request, new SipRejection(Response.SERVICE_UNAVAILABLE, "Busy").header("Retry-After", "5"));
            return;
        }
        try {
            responder.send(provider, tx, responder.response(request, Response.TRYING, null, null));
            if (existing != null) throw new SipRejection(Response.LOOP_DETECTED, "Call-ID already in use");
            if (closing) throw new SipRejection(Response.SERVICE_UNAVAILABLE, "Shutting down");
            SipRequestChecks.checkRequestUri(request, config.requiredUser());
            boolean srcFeature = SipRequestChecks.hasFeature(request, "+sip.src");
            boolean requiresSiprec = SipRequestChecks.requireUnsupported(request);
            OfferBody body = OfferBody.read(request, config.maxBodyBytes());
            boolean siprec = srcFeature || requiresSiprec || body.metadata() != null;
            if (siprec && !config.siprec()) {
                throw new SipRejection(Response.BAD_EXTENSION, "SIPREC not enabled").header("Unsupported", "siprec");
            }
            Grant timer = SessionTimerNegotiation.negotiate(request, config.sessionExpires(), config.minSessionExpires());
            ParticipantSpec caller = siprec ? null : ParticipantNaming.caller(((FromHeader) request.getHeader(FromHeader.NAME)).getAddress(), config.language());
            SipCall call = new SipCall(this, provider, tx, siprec, caller);
            admit(call);
            if (!call.tasks.offer(() -> call.answer(body, timer))) {
                calls.remove(call.sipCallId, call);
                throw new SipRejection(Response.SERVICE_UNAVAILABLE, "Overloaded").header("Retry-After", "5");
            }
        } catch (SipRejection r) {
            reject(provider, tx, request, r);
        } catch (ParseException e) {
            countError("invite-failed", e);
        }
    }

    /**
     * Enters a new call under the call limit: the count and the insert are one step, so that INVITEs read on
     * several SIP threads at once never let more than {@code max-calls} in. Calls leave without the lock.
     */
    private void admit(SipCall call) throws SipRejection {
        synchronized (admission) {
            if (calls.containsKey(call.sipCallId)) throw new SipRejection(Response.LOOP_DETECTED, "Call-ID already in use");
            if (calls.size() >= config.maxCalls()) {
                throw new SipRejection(Response.SERVICE_UNAVAILABLE, "Call limit reached").header("Retry-After", "30");
            }
            calls.put(call.sipCallId, call);
        }
    }

    private void inDialog(SipProvider provider, ServerTransaction tx, Request request, SipCall call, Runnable work) {
        if (call == null) {
            reject(provider, tx, request, new SipRejection(Response.CALL_OR_TRANSACTION_DOES_NOT_EXIST, "Call/Transaction Does Not Exist"));
            return;
        }
        if (!call.tasks.offer(work)) reject(provider, tx, request, new SipRejection(Response.SERVICE_UNAVAILABLE, "Overloaded").header("Retry-After", "5"));
    }

    private void modify(SipProvider provider, ServerTransaction tx, Request request, SipCall call) {
        OfferBody body;
        try {
            SipRequestChecks.requireUnsupported(request);
            body = OfferBody.read(request, config.maxBodyBytes());
        } catch (SipRejection r) {
            reject(provider, tx, request, r);
            return;
        }
        call.modify(tx, request, body);
    }

    private void cancel(SipProvider provider, ServerTransaction tx, Request request, SipCall call) {
        if (call == null) {
            reject(provider, tx, request, new SipRejection(Response.CALL_OR_TRANSACTION_DOES_NOT_EXIST, "Call/Transaction Does Not Exist"));
            return;
        }
        ok(provider, tx, request, false); // 200 to the CANCEL itself; the INVITE gets 487 if it was still pending
        call.cancel();
    }

    private void ok(SipProvider provider, ServerTransaction tx, Request request, boolean capabilities) {
        try {
            Response r = responder.response(request, Response.OK, null, null);
            if (capabilities) responder.addCapabilities(r);
            responder.send(provider, tx, r);
        } catch (ParseException e) {
            countError("response-not-built", e);
        }
    }

    private void reject(SipProvider provider, ServerTransaction tx, Request request, SipRejection r) {
        responder.reject(provider, tx, request, r, null);
    }

    private static Thread daemon(Runnable r, String name) {
        return NamedThreads.thread(r, name, true);
    }

    /** The calls in progress, for tests and diagnostics. */
    Collection<SipCall> calls() {
        return calls.values();
    }
}
