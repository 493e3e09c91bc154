package org.streamasr.media.sip;

import gov.nist.javax.sip.header.extensions.SessionExpiresHeader;
import java.io.IOException;
import java.text.ParseException;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicReference;
import javax.sip.ClientTransaction;
import javax.sip.Dialog;
import javax.sip.DialogState;
import javax.sip.ServerTransaction;
import javax.sip.SipProvider;
import javax.sip.header.CSeqHeader;
import javax.sip.header.ContentTypeHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.streamasr.media.CallHandle;
import org.streamasr.media.CallRejectedException;
import org.streamasr.media.CallSpec;
import org.streamasr.media.ParticipantSpec;
import org.streamasr.media.sip.SessionTimerNegotiation.Grant;
import org.streamasr.media.sip.sdp.SdpNegotiator;
import org.streamasr.media.sip.sdp.StreamDecision;
import org.streamasr.runtime.SerialExecutor;

/**
 * One SIP dialog and the transcribed call behind it. Everything but {@link #cancel} runs on the call's
 * {@link SerialExecutor}, so the state below needs no lock; the offer/answer state, the media legs, the session
 * timer and the call handle have this object as their one owner.
 */
final class SipCall {
    enum State { OFFERED, ANSWERED, CANCELLED, ENDED }

    /** After a 491 to our refresh, try again this much later (RFC 3261 section 14.1 waits 2.1 to 4 s as the callee). */
    private static final Duration GLARE_RETRY = Duration.ofSeconds(3);

    final String sipCallId;
    final SerialExecutor tasks;
    private final SipGateway gw;
    private final SipProvider provider;
    private final boolean siprec;
    private final String localTag = SipResponder.newTag();
    private final AtomicReference<State> state = new AtomicReference<>(State.OFFERED);
    private final ServerTransaction inviteTx;
    private final Request invite;
    private final CallLegs legs;
    private final SessionTimer session;
    private CallHandle handle;
    private SipTimers.Scheduled durationTimer;
    private boolean peerTakesUpdate;
    private ClientTransaction pendingRefresh;
    private boolean acked;
    private String pendingBye;
    /** A refresh fell due before the caller's ACK: it goes out once the ACK is in. */
    private boolean refreshAfterAck;
    private boolean finished;

    SipCall(SipGateway gw, SipProvider provider, ServerTransaction inviteTx, boolean siprec, ParticipantSpec caller) {
        this.gw = gw;
        this.provider = provider;
        this.inviteTx = inviteTx;
        this.invite = inviteTx.getRequest();
        this.sipCallId = gw.callIdOf(invite);
        this.siprec = siprec;
        this.tasks = gw.newQueue();
        this.legs = new CallLegs(gw.media, caller, gw.config.language(), report -> tasks.offer(() -> mediaInactive(report)));
        this.session = new SessionTimer(gw.timers, tasks::offer, () -> end("session timer expired", true), this::sendRefresh);
        this.peerTakesUpdate = allows(invite, Request.UPDATE);
    }

    String callId() {
        return handle == null ? null : handle.callId();
    }

    State state() {
        return state.get();
    }

    /**
     * The initial INVITE: ring, open the call and its media, answer 200 with our SDP.
     *
     * @param timer the session timer agreed with the caller, or {@code null}
     */
    void answer(OfferBody body, Grant timer) {
        try {
            gw.responder.send(provider, inviteTx, gw.responder.response(invite, Response.RINGING, null, localTag));
            if (body.sdp() == null) throw new SipRejection(Response.NOT_ACCEPTABLE_HERE, "SDP offer required")
                    .warn(SdpNegotiator.WARN_MISC, "an SDP offer is required in the INVITE");
            if (body.metadata() != null) legs.applyMetadata(body.metadata());
            List<StreamDecision> decisions = gw.negotiator.decide(body.sdp());
            requireAccepted(decisions);
            try {
                handle = gw.sink.openCall(new CallSpec(null, siprec ? "siprec" : "sip", gw.config.language(), SipCallAttributes.of(invite, siprec)),
                        gw.transcriptsFor(this));
            } catch (CallRejectedException e) {
                throw new SipRejection(Response.SERVICE_UNAVAILABLE, "Call not accepted").warn(SdpNegotiator.WARN_MISC, e.getMessage())
                        .header("Retry-After", "30");
            }
            legs.open(handle, decisions);
            String sdp = legs.answer(decisions, gw.responder.hostFor(invite));
            Response ok = gw.responder.response(invite, Response.OK, null, localTag);
            ok.setHeader(gw.responder.contact(invite, siprec));
            gw.responder.addCapabilities(ok);
            gw.responder.set(ok, "X-Streamasr-Call-Id", handle.callId());
            addTimer(ok, timer);
            ok.setContent(sdp, (ContentTypeHeader) gw.responder.header("Content-Type", OfferBody.SDP));
            if (!state.compareAndSet(State.OFFERED, State.ANSWERED)) {
                end("cancelled before answer", false);
                return;
            }
            session.agreed(timer);
            armDurationLimit();
            gw.responder.send(provider, inviteTx, ok);
            gw.callStarted(this);
        } catch (SipRejection r) {
            if (state.compareAndSet(State.OFFERED, State.ENDED)) gw.responder.reject(provider, inviteTx, invite, r, localTag);
            end(r.reason(), false);
        } catch (ParseException | IOException | RuntimeException e) {
            gw.countError("invite-failed", e);
            if (state.compareAndSet(State.OFFERED, State.ENDED)) {
                gw.responder.reject(provider, inviteTx, invite, new SipRejection(Response.SERVER_INTERNAL_ERROR, "Could not set up the call"), localTag);
            }
            end("setup failed: " + e, false);
        }
    }

    /** CANCEL, from a SIP thread: wins only while the INVITE is unanswered (RFC 3261 section 9.2). */
    boolean cancel() {
        if (!state.compareAndSet(State.OFFERED, State.CANCELLED)) return false;
        try {
            gw.responder.send(provider, inviteTx, gw.responder.response(invite, Response.REQUEST_TERMINATED, null, localTag));
        } catch (ParseException e) {
            gw.countError("cancel-failed", e);
        }
        tasks.offer(() -> end("cancelled", false));
        return true;
    }

    void acked() {
        acked = true;
        if (pendingBye != null) end(pendingBye, true);
        else if (refreshAfterAck) {
            refreshAfterAck = false;
            sendRefresh();
        }
    }

    /**
     * A re-INVITE or UPDATE: new SDP offer and/or metadata, a session refresh; answered 200 with our (possibly
     * updated) SDP. The session timer starts again with what this request agrees (none when it asks for none). 491
     * while our own re-INVITE awaits its answer; 481 once the call has ended (the request was queued behind that).
     */
    void modify(ServerTransaction tx, Request request, OfferBody body) {
        try {
            if (state.get() != State.ANSWERED) {
                throw new SipRejection(Response.CALL_OR_TRANSACTION_DOES_NOT_EXIST, "Call/Transaction Does Not Exist");
            }
            if (pendingRefresh != null && Request.INVITE.equals(pendingRefresh.getRequest().getMethod())
                    && (Request.INVITE.equals(request.getMethod()) || body.sdp() != null)) {
                // glare: our re-INVITE's offer is unanswered (RFC 3261 section 14.2, RFC 3311 section 5.2)
                throw new SipRejection(Response.REQUEST_PENDING, "Request Pending");
            }
            Grant timer = SessionTimerNegotiation.negotiate(request, gw.config.sessionExpires(), gw.config.minSessionExpires());
            if (body.metadata() != null) legs.applyMetadata(body.metadata());
            String sdp = legs.lastAnswer();
            if (body.sdp() != null) {
                List<StreamDecision> decisions = gw.negotiator.decide(body.sdp());
                requireAccepted(decisions);
                legs.reopen(handle, decisions);
                sdp = legs.answer(decisions, gw.responder.hostFor(request));
            }
            if (siprec) legs.relabel(handle);
            if (request.getHeader("Allow") != null) peerTakesUpdate = allows(request, Request.UPDATE);
            Response ok = gw.responder.response(request, Response.OK, null, localTag);
            ok.setHeader(gw.responder.contact(request, siprec));
            gw.responder.addCapabilities(ok);
            addTimer(ok, timer);
            if (sdp != null && (body.sdp() != null || Request.INVITE.equals(request.getMethod()))) {
                ok.setContent(sdp, (ContentTypeHeader) gw.responder.header("Content-Type", OfferBody.SDP));
            }
            session.agreed(timer);
            gw.responder.send(provider, tx, ok);
        } catch (SipRejection r) {
            gw.responder.reject(provider, tx, request, r, localTag);
        } catch (ParseException | IOException | RuntimeException e) {
            gw.countError("modify-failed", e);
            gw.responder.reject(provider, tx, request, new SipRejection(Response.SERVER_INTERNAL_ERROR, "Could not apply the change"), localTag);
        }
    }

    /** BYE from the peer: 200, then the call ends (pending audio is still transcribed). */
    void bye(ServerTransaction tx, Request request) {
        try {
            gw.responder.send(provider, tx, gw.responder.response(request, Response.OK, null, localTag));
        } catch (ParseException e) {
            gw.countError("bye-failed", e);
        }
        end("hung up by the caller", false);
    }

    /** Ends the call: BYE to the peer when {@code sendBye} and the dialog is up, then media and call closed. Idempotent. */
    void end(String reason, boolean sendBye) {
        if (finished) return;
        State before = state.get();
        if (sendBye && before == State.ANSWERED && !acked && !gw.isClosing()) {
            pendingBye = reason; // RFC 3261 section 15: no BYE before the ACK; acked() or the dialog's end finishes it
            return;
        }
        finished = true;
        state.set(State.ENDED);
        if (sendBye && before == State.ANSWERED) sendBye(reason);
        session.stop();
        if (durationTimer != null) durationTimer.cancel();
        legs.closeAll();
        if (handle != null) {
            handle.close();
            gw.callEnded(this, reason);
            handle = null;
        }
        gw.forget(this);
    }

    /**
     * We refresh the session (the caller asked for {@code refresher=uas}): an UPDATE without a body when the caller
     * takes UPDATE (RFC 3311), else a re-INVITE offering our last SDP again, unchanged (RFC 4028 section 7.4).
     */
    private void sendRefresh() {
        Grant timer = session.grant();
        Dialog dialog = inviteTx.getDialog();
        if (timer == null || finished || pendingRefresh != null || dialog == null || dialog.getState() != DialogState.CONFIRMED) return;
        if (!acked) {
            // An in-dialog request of ours crossing the caller's ACK makes JAIN-SIP swallow that ACK (the retransmissions
            // of our 200 stop, yet the listener never sees it), after which no BYE could be sent (RFC 3261 section 15).
            refreshAfterAck = true;
            return;
        }
        try {
            Request refresh = dialog.createRequest(peerTakesUpdate ? Request.UPDATE : Request.INVITE);
            // in a request of ours, "uac" is us: we stay the refresher
            gw.responder.set(refresh, "Session-Expires", timer.intervalSeconds() + ";refresher=uac");
            gw.responder.set(refresh, "Supported", "timer");
            if (Request.INVITE.equals(refresh.getMethod())) {
                refresh.setHeader(gw.responder.contact(invite, siprec));
                refresh.setContent(legs.lastAnswer(), (ContentTypeHeader) gw.responder.header("Content-Type", OfferBody.SDP));
            }
            ClientTransaction ct = provider.getNewClientTransaction(refresh);
            dialog.sendRequest(ct);
            pendingRefresh = ct;
        } catch (Exception e) {
            gw.countError("refresh-not-sent", e);
        }
    }

    /** A response to a request of ours in this dialog (our refresh, or our BYE, which needs nothing). */
    void responded(ClientTransaction ct, Response response) {
        int status = response.getStatusCode();
        if (ct == null || ct != pendingRefresh || status < 200) return;
        pendingRefresh = null;
        String method = ct.getRequest().getMethod();
        if (status < 300) {
            if (Request.INVITE.equals(method)) ack(ct, response);
            SessionExpiresHeader se = (SessionExpiresHeader) response.getHeader(SessionExpiresHeader.NAME);
            long interval = se != null ? se.getExpires() : session.grant().intervalSeconds();
            // in the answer to our request, "uas" is the caller, taking the refreshes over
            boolean callerRefreshes = se != null && "uas".equalsIgnoreCase(se.getRefresher());
            session.agreed(new Grant(interval, callerRefreshes));
        } else if (status == Response.REQUEST_TIMEOUT || status == Response.CALL_OR_TRANSACTION_DOES_NOT_EXIST) {
            end("session refresh failed (" + status + ")", true); // RFC 4028 section 10
        } else if (status == Response.REQUEST_PENDING) {
            session.retryRefresh(GLARE_RETRY);
        } else if (Request.UPDATE.equals(method) && (status == Response.METHOD_NOT_ALLOWED || status == Response.NOT_IMPLEMENTED)) {
            peerTakesUpdate = false;
            sendRefresh();
        } else {
            gw.countError("refresh-refused", new IllegalStateException(method + " answered " + status));
        }
    }

    /** Our refresh got no answer at all: the session is gone (RFC 4028 section 10). */
    void timedOut(ClientTransaction ct) {
        if (ct == pendingRefresh) end("session refresh timed out", true);
    }

    private void ack(ClientTransaction ct, Response ok) {
        try {
            Dialog dialog = ct.getDialog();
            dialog.sendAck(dialog.createAck(((CSeqHeader) ok.getHeader(CSeqHeader.NAME)).getSeqNumber()));
        } catch (Exception e) {
            gw.countError("ack-not-sent", e);
        }
    }

    private void sendBye(String reason) {
        Dialog dialog = inviteTx.getDialog();
        if (dialog == null || dialog.getState() != DialogState.CONFIRMED) return;
        try {
            Request bye = dialog.createRequest(Request.BYE);
            bye.addHeader(gw.responder.header("Reason", "SIP;cause=200;text=\"" + reason.replace('"', '\'') + "\""));
            ClientTransaction ct = provider.getNewClientTransaction(bye);
            dialog.sendRequest(ct);
        } catch (Exception e) {
            gw.countError("bye-not-sent", e);
        }
    }

    private void addTimer(Response ok, Grant timer) throws ParseException {
        if (timer == null) return;
        gw.responder.set(ok, "Session-Expires", timer.answerValue());
        gw.responder.set(ok, "Require", "timer");
    }

    private void requireAccepted(List<StreamDecision> decisions) throws SipRejection {
        if (decisions.stream().anyMatch(StreamDecision::isAccepted)) return;
        SipRejection r = new SipRejection(Response.NOT_ACCEPTABLE_HERE, "Not Acceptable Here");
        decisions.stream().filter(d -> d.warning() != null).map(d -> new SipRejection.Warning(d.warningCode(), d.warning()))
                .distinct().forEach(w -> r.warn(w.code(), w.text()));
        if (decisions.isEmpty()) r.warn(SdpNegotiator.WARN_MEDIA_TYPE, "the offer has no media");
        throw r;
    }

    /**
     * A stream stopped receiving: the call ends with a BYE, unless the stream is on hold (answered inactive) or the
     * report predates its resume.
     */
    private void mediaInactive(CallLegs.InactivityReport report) {
        if (legs.expectsMedia(report)) end("no media received", true);
    }

    private void armDurationLimit() {
        if (durationTimer == null && !gw.config.maxCallDuration().isZero()) {
            durationTimer = gw.timers.schedule(() -> tasks.offer(() -> end("maximum call duration reached", true)),
                    gw.config.maxCallDuration());
        }
    }

    /** Whether the request's Allow header lists {@code method}. */
    private static boolean allows(Request request, String method) {
        for (Iterator<?> it = request.getHeaders("Allow"); it.hasNext(); ) {
            String v = it.next().toString();
            for (String m : v.substring(v.indexOf(':') + 1).split(",")) {
                if (m.trim().toUpperCase(Locale.ROOT).equals(method)) return true;
            }
        }
        return false;
    }
}
