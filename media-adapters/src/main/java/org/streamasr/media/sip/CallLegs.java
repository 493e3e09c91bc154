package org.streamasr.media.sip;

import java.io.IOException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.streamasr.media.CallHandle;
import org.streamasr.media.ParticipantSpec;
import org.streamasr.media.sip.SipMediaFactory.SipMediaStream;
import org.streamasr.media.sip.sdp.MediaDirection;
import org.streamasr.media.sip.sdp.SdpAnswerBuilder;
import org.streamasr.media.sip.sdp.StreamDecision;
import org.streamasr.media.sip.sdp.StreamOffer;
import org.streamasr.media.sip.siprec.RecordingMetadata;
import org.streamasr.media.sip.srtp.SdesKey;

/**
 * The received streams of one SIP call and the SDP answers that describe them: per accepted {@code m=} line a
 * receiver, our SRTP key, and the participant it feeds (the caller, or whom the SIPREC metadata names). Owned by
 * its {@link SipCall} and used on the call's task queue only.
 */
final class CallLegs {
    private static final Logger LOG = LoggerFactory.getLogger(CallLegs.class);
    private static final SecureRandom KEYS = new SecureRandom();

    /** One received stream: what was negotiated, our key, its receiver, and the participant it feeds. */
    private record Leg(StreamOffer offer, SdesKey localKey, SipMediaStream media, SwitchableParticipantAudio audio,
                       ParticipantSpec participant, MediaTimeout timeout) {
    }

    /** One receiver's media timeout as the call's task queue sees it: the last restart it asked for. */
    private static final class MediaTimeout {
        long restartsAsked;
    }

    /**
     * A receiver's report that nothing arrived for the media timeout, on its way to the call's task queue: which
     * stream, which receiver, and the last restart the report took into account.
     */
    record InactivityReport(int index, Object receiver, long restartsSeen) {
    }

    private final SipMediaFactory factory;
    private final ParticipantSpec caller;
    private final String language;
    private final Consumer<InactivityReport> onInactive;
    private final Map<Integer, Leg> legs = new LinkedHashMap<>();
    private final long sdpSessionId = Math.abs(KEYS.nextLong() % 1_000_000_000L);
    private long sdpVersion;
    private String lastAnswer;
    private RecordingMetadata metadata = RecordingMetadata.EMPTY;

    /**
     * @param caller     the plain call's caller, or {@code null} for a SIPREC session (participants from metadata)
     * @param onInactive called from a media thread when a stream received nothing for the media timeout; the call
     *                   checks it on its task queue with {@link #expectsMedia(InactivityReport)}
     */
    CallLegs(SipMediaFactory factory, ParticipantSpec caller, String language, Consumer<InactivityReport> onInactive) {
        this.factory = factory;
        this.caller = caller;
        this.language = language;
        this.onInactive = onInactive;
    }

    void applyMetadata(RecordingMetadata update) {
        metadata = metadata.apply(update);
    }

    /** The initial offer's accepted streams: one receiver and participant each. */
    void open(CallHandle call, List<StreamDecision> decisions) throws IOException {
        List<StreamOffer> accepted = accepted(decisions);
        Map<Integer, ParticipantSpec> who = ParticipantNaming.forStreams(accepted, caller, metadata, language);
        for (StreamOffer s : accepted) legs.put(s.index(), openLeg(call, s, null, who.get(s.index())));
    }

    /**
     * After a new offer: unchanged streams keep their receiver; changed ones get a new receiver; dropped ones close.
     * A kept stream that comes off hold has its media timeout started afresh: the report it made while on hold was
     * ignored, and without a new start a resumed call that sends nothing would never be timed out.
     */
    void reopen(CallHandle call, List<StreamDecision> decisions) throws IOException {
        Map<Integer, Leg> old = new HashMap<>(legs);
        legs.clear();
        List<StreamOffer> accepted = accepted(decisions);
        Map<Integer, ParticipantSpec> who = ParticipantNaming.forStreams(accepted, caller, metadata, language);
        for (StreamOffer s : accepted) {
            Leg was = old.remove(s.index());
            if (was != null && was.offer.sameMediaAs(s) && Objects.equals(was.offer.label(), s.label())) {
                legs.put(s.index(), new Leg(s, was.localKey, was.media, was.audio, was.participant, was.timeout));
                if (!receives(was.offer) && receives(s)) was.timeout.restartsAsked = was.media.restartInactivityTimer();
            } else {
                if (was != null) closeLeg(was);
                legs.put(s.index(), openLeg(call, s, was == null ? null : was.localKey, who.get(s.index())));
            }
        }
        for (Leg gone : old.values()) closeLeg(gone);
    }

    /**
     * Whether {@code report} still means the call gets no media: its stream is one we expect media on, from the
     * receiver that reported, and the report was made after the last restart of its timeout (one made on hold
     * reaches the task queue after the resume when the media thread was slow, and must not end the resumed call).
     */
    boolean expectsMedia(InactivityReport report) {
        Leg leg = legs.get(report.index());
        return leg != null && leg.timeout == report.receiver() && report.restartsSeen() >= leg.timeout.restartsAsked
                && receives(leg.offer);
    }

    /** SIPREC: points each stream at the participant the metadata now names, closing the previous one's stream. */
    void relabel(CallHandle call) {
        List<StreamOffer> offers = legs.values().stream().map(Leg::offer).toList();
        Map<Integer, ParticipantSpec> who = ParticipantNaming.forStreams(offers, null, metadata, language);
        for (Map.Entry<Integer, Leg> e : new ArrayList<>(legs.entrySet())) {
            Leg leg = e.getValue();
            ParticipantSpec want = who.get(e.getKey());
            if (want == null || want.equals(leg.participant)) continue;
            if (want.participantId().equals(leg.participant.participantId())) leg.audio.current().close();
            leg.audio.switchTo(call.openParticipant(want));
            legs.put(e.getKey(), new Leg(leg.offer, leg.localKey, leg.media, leg.audio, want, leg.timeout));
            LOG.info("SIPREC call {}: stream {} now {} ({})", call.callId(), leg.offer.label(), want.displayName(), want.participantId());
        }
    }

    /** Our SDP answer to {@code decisions}; its version goes up only when it differs from the last one (RFC 3264 8). */
    String answer(List<StreamDecision> decisions, String host) {
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

    /** The last SDP we answered with, or {@code null} before the first. */
    String lastAnswer() {
        return lastAnswer;
    }

    /** Closes every receiver and participant stream (pending audio is still transcribed). */
    void closeAll() {
        for (Leg leg : legs.values()) closeLeg(leg);
        legs.clear();
    }

    private Leg openLeg(CallHandle call, StreamOffer s, SdesKey keepKey, ParticipantSpec participant) throws IOException {
        SdesKey localKey = !s.secure() ? null
                : keepKey != null && keepKey.suite() == s.remoteKey().suite() && keepKey.tag() == s.remoteKey().tag() ? keepKey
                : SdesKey.generate(s.remoteKey().tag(), s.remoteKey().suite(), KEYS);
        SwitchableParticipantAudio audio = new SwitchableParticipantAudio(call.openParticipant(participant));
        try {
            MediaTimeout timeout = new MediaTimeout();
            SipMediaStream media = factory.open(call.callId(), s, audio,
                    seen -> onInactive.accept(new InactivityReport(s.index(), timeout, seen)));
            return new Leg(s, localKey, media, audio, participant, timeout);
        } catch (IOException | RuntimeException e) {
            audio.close();
            throw e;
        }
    }

    private static void closeLeg(Leg leg) {
        try {
            leg.media.close();
        } finally {
            leg.audio.close();
        }
    }

    private static boolean receives(StreamOffer s) {
        return s.answerDirection() != MediaDirection.INACTIVE;
    }

    private static List<StreamOffer> accepted(List<StreamDecision> decisions) {
        return decisions.stream().filter(StreamDecision::isAccepted).map(StreamDecision::accepted).toList();
    }
}
