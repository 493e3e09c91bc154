package org.streamasr.media.sip;

import java.io.IOException;
import java.security.SecureRandom;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import javax.sip.ClientTransaction;
import javax.sip.Dialog;
import javax.sip.DialogState;
import javax.sip.ServerTransaction;
import javax.sip.SipProvider;
import javax.sip.header.ContentTypeHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.streamasr.media.CallHandle;
import org.streamasr.media.CallRejectedException;
import org.streamasr.media.CallSpec;
import org.streamasr.media.ParticipantSpec;
import org.streamasr.media.sip.SipMediaFactory.SipMediaStream;
import org.streamasr.media.sip.sdp.SdpAnswerBuilder;
import org.streamasr.media.sip.sdp.SdpNegotiator;
import org.streamasr.media.sip.sdp.StreamDecision;
import org.streamasr.media.sip.sdp.StreamOffer;
import org.streamasr.media.sip.siprec.RecordingMetadata;
import org.streamasr.media.sip.srtp.SdesKey;

/**
 * One SIP dialog and the transcribed call behind it. Everything but {@link #cancel} runs on the call's
 * {@link SerialTaskQueue}, so the state below needs no lock; the offer/answer state, the media legs and the call
 * handle have this object as their one owner.
 */
final class SipCall {
    private static final Logger LOG = LoggerFactory.getLogger(SipCall.class);
    private static final SecureRandom KEYS = new SecureRandom();

    enum State { OFFERED, ANSWERED, CANCELLED, ENDED }

    /** One received stream: what was negotiated, our key, its receiver, and the participant it feeds. */
    private record Leg(StreamOffer offer, SdesKey localKey, SipMediaStream media, SwitchableParticipantAudio audio,
                       ParticipantSpec participant) {
    }

    final String sipCallId;
    final SerialTaskQueue tasks;
    private final SipGateway gw;
    private final SipProvider provider;
    private final boolean siprec;
    private final ParticipantSpec caller;
    private final String localTag = SipResponder.newTag();
    private final AtomicReference<State> state = new AtomicReference<>(State.OFFERED);
    private final ServerTransaction inviteTx;
    private final Request invite;
    private final long sdpSessionId = Math.abs(KEYS.nextLong() % 1_000_000_000L);
    private long sdpVersion;
    private String lastAnswer;
    private CallHandle handle;
    private final Map<Integer, Leg> legs = new LinkedHashMap<>();
    private RecordingMetadata metadata = RecordingMetadata.EMPTY;
    private ScheduledFuture<?> sessionTimer;
    private ScheduledFuture<?> durationTimer;
    private long sessionSeconds;
    private boolean acked;
    private String pendingBye;
    private boolean finished;

    SipCall(SipGateway gw, SipProvider provider, ServerTransaction inviteTx, boolean siprec, ParticipantSpec caller) {
        this.gw = gw;
        this.provider = provider;
        this.inviteTx = inviteTx;
        this.invite = inviteTx.getRequest();
        this.sipCallId = gw.callIdOf(invite);
        this.siprec = siprec;
        this.caller = caller;
        this.tasks = gw.newQueue();
    }

    String callId() {
        return handle == null ? null : handle.callId();
    }

    State state() {
        return state.get();
    }

    /** The initial INVITE: ring, open the call and its media, answer 200 with our SDP. */
    void answer(OfferBody body, long requestedSessionSeconds) {
        Leg[] opened = new Leg[0];
        try {
            gw.responder.send(provider, inviteTx, gw.responder.response(invite, Response.RINGING, null, localTag));
            if (body.sdp() == null) throw new SipRejection(Response.NOT_ACCEPTABLE_HERE, "SDP offer required")
                    .warn(SdpNegotiator.WARN_MISC, "an SDP offer is required in the INVITE");
            if (body.metadata() != null) metadata = metadata.apply(body.metadata());
            List<StreamDecision> decisions = gw.negotiator.decide(body.sdp());
            requireAccepted(decisions);
            try {
                handle = gw.sink.openCall(new CallSpec(null, siprec ? "siprec" : "sip", gw.config.language(), gw.attributesOf(invite, siprec)),
                        gw.transcriptsFor(this));
            } catch (CallRejectedException e) {
                throw new SipRejection(Response.SERVICE_UNAVAILABLE, "Call not accepted").warn(SdpNegotiator.WARN_MISC, e.getMessage())
                        .header("Retry-After", "30");
            }
            openLegs(decisions);
            String sdp = answerSdp(decisions, gw.responder.hostFor(invite));
            Response ok = gw.responder.response(invite, Response.OK, null, localTag);
            ok.setHeader(gw.responder.contact(invite, siprec));
            gw.responder.addCapabilities(ok);
            gw.responder.set(ok, "X-Streamasr-Call-Id", handle.callId());
            if (requestedSessionSeconds > 0) {
                sessionSeconds = requestedSessionSeconds;
                gw.responder.set(ok, "Session-Expires", sessionSeconds + ";refresher=uac");
                gw.responder.set(ok, "Require", "timer");
            }
            ok.setContent(sdp, (ContentTypeHeader) gw.responder.header("Content-Type", OfferBody.SDP));
            if (!state.compareAndSet(State.OFFERED, State.ANSWERED)) {
                end("cancelled before answer", false);
                return;
            }
            gw.responder.send(provider, inviteTx, ok);
            gw.callStarted(this);
            armTimers();
        } catch (SipRejection r) {
            gw.countRejection(invite, r);
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
        tasks.submit(() -> end("cancelled", false));
        return true;
    }

    void acked() {
        acked = true;
        if (pendingBye != null) end(pendingBye, true);
    }

    /** A re-INVITE or UPDATE: new SDP offer and/or metadata; answered 200 with our (possibly updated) SDP. */
    void modify(ServerTransaction tx, Request request, OfferBody body) {
        try {
            if (state.get() != State.ANSWERED) throw new SipRejection(Response.REQUEST_PENDING, "Request pending");
            if (body.metadata() != null) metadata = metadata.apply(body.metadata());
            String sdp = lastAnswer;
            if (body.sdp() != null) {
                List<StreamDecision> decisions = gw.negotiator.decide(body.sdp());
                requireAccepted(decisions);
                reopenLegs(decisions);
                sdp = answerSdp(decisions, gw.responder.hostFor(request));
            }
            relabel();
            Response ok = gw.responder.response(request, Response.OK, null, localTag);
            ok.setHeader(gw.responder.contact(request, siprec));
            gw.responder.addCapabilities(ok);
            long refreshed = gw.sessionInterval(request);
            if (refreshed > 0) {
                sessionSeconds = refreshed;
                gw.responder.set(ok, "Session-Expires", sessionSeconds + ";refresher=uac");
                gw.responder.set(ok, "Require", "timer");
            }
            if (sdp != null && (body.sdp() != null || Request.INVITE.equals(request.getMethod()))) {
                ok.setContent(sdp, (ContentTypeHeader) gw.responder.header("Content-Type", OfferBody.SDP));
            }
            gw.responder.send(provider, tx, ok);
            armTimers();
        } catch (SipRejection r) {
            gw.countRejection(request, r);
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
        if (sessionTimer != null) sessionTimer.cancel(false);
        if (durationTimer != null) durationTimer.cancel(false);
        for (Leg leg : legs.values()) closeLeg(leg);
        legs.clear();
        if (handle != null) {
            handle.close();
            gw.callEnded(this, reason);
            handle = null;
        }
        gw.forget(this);
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

    private void requireAccepted(List<StreamDecision> decisions) throws SipRejection {
        if (decisions.stream().anyMatch(StreamDecision::isAccepted)) return;
        SipRejection r = new SipRejection(Response.NOT_ACCEPTABLE_HERE, "Not Acceptable Here");
        decisions.stream().filter(d -> d.warning() != null).map(d -> new SipRejection.Warning(d.warningCode(), d.warning()))
                .distinct().forEach(w -> r.warn(w.code(), w.text()));
        if (decisions.isEmpty()) r.warn(SdpNegotiator.WARN_MEDIA_TYPE, "the offer has no media");
        throw r;
    }

    private void openLegs(List<StreamDecision> decisions) throws IOException {
        List<StreamOffer> accepted = decisions.stream().filter(StreamDecision::isAccepted).map(StreamDecision::accepted).toList();
        Map<Integer, ParticipantSpec> who = ParticipantNaming.forStreams(accepted, caller, metadata, gw.config.language());
        for (StreamOffer s : accepted) legs.put(s.index(), openLeg(s, null, who.get(s.index())));
    }

    private Leg openLeg(StreamOffer s, SdesKey keepKey, ParticipantSpec participant) throws IOException {
        SdesKey localKey = !s.secure() ? null
                : keepKey != null && keepKey.suite() == s.remoteKey().suite() && keepKey.tag() == s.remoteKey().tag() ? keepKey
                : SdesKey.generate(s.remoteKey().tag(), s.remoteKey().suite(), KEYS);
        SwitchableParticipantAudio audio = new SwitchableParticipantAudio(handle.openParticipant(participant));
        try {
            SipMediaStream media = gw.media.open(handle.callId(), s, audio, () -> tasks.submit(() -> mediaInactive(s.index())));
            return new Leg(s, localKey, media, audio, participant);
        } catch (IOException | RuntimeException e) {
            audio.close();
            throw e;
        }
    }

    /** A stream stopped receiving: the call ends with a BYE, unless the stream is on hold (answered inactive). */
    private void mediaInactive(int index) {
        Leg leg = legs.get(index);
        if (leg == null || leg.offer.answerDirection() == org.streamasr.media.sip.sdp.MediaDirection.INACTIVE) return;
        end("no media received", true);
    }

    /** After a new offer: unchanged streams keep their receiver; changed ones get a new receiver; dropped ones close. */
    private void reopenLegs(List<StreamDecision> decisions) throws IOException {
        Map<Integer, Leg> old = new HashMap<>(legs);
        legs.clear();
        List<StreamOffer> accepted = decisions.stream().filter(StreamDecision::isAccepted).map(StreamDecision::accepted).toList();
        Map<Integer, ParticipantSpec> who = ParticipantNaming.forStreams(accepted, caller, metadata, gw.config.language());
        for (StreamOffer s : accepted) {
            Leg was = old.remove(s.index());
            if (was != null && was.offer.sameMediaAs(s) && Objects.equals(was.offer.label(), s.label())) {
                legs.put(s.index(), new Leg(s, was.localKey, was.media, was.audio, was.participant));
            } else {
                if (was != null) closeLeg(was);
                legs.put(s.index(), openLeg(s, was == null ? null : was.localKey, who.get(s.index())));
            }
        }
        for (Leg gone : old.values()) closeLeg(gone);
    }

    /** Points each stream at the participant the metadata now names, closing the previous one's stream. */
    private void relabel() {
        if (!siprec) return;
        List<StreamOffer> offers = legs.values().stream().map(Leg::offer).toList();
        Map<Integer, ParticipantSpec> who = ParticipantNaming.forStreams(offers, null, metadata, gw.config.language());
        for (Map.Entry<Integer, Leg> e : new ArrayList<>(legs.entrySet())) {
            Leg leg = e.getValue();
            ParticipantSpec want = who.get(e.getKey());
            if (want == null || want.equals(leg.participant)) continue;
            if (want.participantId().equals(leg.participant.participantId())) leg.audio.current().close();
            leg.audio.switchTo(handle.openParticipant(want));
            legs.put(e.getKey(), new Leg(leg.offer, leg.localKey, leg.media, leg.audio, want));
            LOG.info("SIPREC call {}: stream {} now {} ({})", callId(), leg.offer.label(), want.displayName(), want.participantId());
        }
    }

    private String answerSdp(List<StreamDecision> decisions, String host) {
        Map<Integer, Integer> ports = new HashMap<>();
        Map<Integer, SdesKey> keys = new HashMap<>();
        legs.forEach((i, leg) -> {
            ports.put(i, leg.media.localPort());
            if (leg.localKey != null) keys.put(i, leg.localKey);
        });
        String body = SdpAnswerBuilder.answer(decisions, host, ports, keys, sdpSessionId, sdpVersion).toSdp();
        if (lastAnswer != null && !lastAnswer.equals(body)) {
            sdpVersion++;
            body = SdpAnswerBuilder.answer(decisions, host, ports, keys, sdpSessionId, sdpVersion).toSdp();
        }
        lastAnswer = body;
        return body;
    }

    private void closeLeg(Leg leg) {
        try {
            leg.media.close();
        } finally {
            leg.audio.close();
        }
    }

    private void armTimers() {
        if (sessionTimer != null) sessionTimer.cancel(false);
        if (sessionSeconds > 0) {
            // RFC 4028 section 10: without a refresh before the interval ends, the non-refresher sends BYE
            sessionTimer = gw.timers.schedule(() -> tasks.submit(() -> end("session timer expired", true)),
                    sessionSeconds, TimeUnit.SECONDS);
        }
        if (durationTimer == null && !gw.config.maxCallDuration().isZero()) {
            durationTimer = gw.timers.schedule(() -> tasks.submit(() -> end("maximum call duration reached", true)),
                    gw.config.maxCallDuration().toMillis(), TimeUnit.MILLISECONDS);
        }
    }
}
