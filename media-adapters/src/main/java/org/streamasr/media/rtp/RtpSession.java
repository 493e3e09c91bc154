package org.streamasr.media.rtp;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.streamasr.media.CallHandle;
import org.streamasr.runtime.DropCounter;
import org.streamasr.media.MediaMetrics;
import org.streamasr.media.ParticipantAudio;
import org.streamasr.media.ParticipantSpec;
import org.streamasr.media.pipeline.MediaTimeline;
import org.streamasr.media.pipeline.MediaTimer;

/**
 * The receiving side of one call's RTP, without a socket: datagrams in ({@link #receive}), participants' audio out.
 * {@link RtpEndpoint} feeds one from a UDP port; an adapter with its own transport (ICE, DTLS-SRTP, a relay) can feed
 * one directly. Filters datagrams, and routes audio by SSRC into one {@link RtpStream} per participant of the
 * {@link CallHandle}.
 *
 * <p>Per datagram, on the caller's (network) thread, in this order: source check (latching),
 * {@link PacketTransformer} (SRTP), {@link RtpParser}, payload-type filter ({@code telephone-event},
 * {@code comfort-noise}, {@code unknown-payload-type} are dropped and counted), SSRC → participant, then a
 * non-blocking hand-off to the stream's worker. Nothing on this path decodes or blocks. A new SSRC becomes a
 * participant once two of its packets arrived in sequence (RFC 3550 A.1 probation; the first is not lost).
 *
 * <p>Sender address: with no expected remote, the session latches onto the first host:port that sends valid RTP
 * and ignores others ({@code foreign-source}); if the latched sender stays silent for {@value #RELATCH_MILLIS} ms a
 * new one may take over (NAT rebinding). The listener hears of each latch.
 *
 * <p>Timeouts ({@link #housekeeping}, called periodically): no packet for {@code inactivityTimeout} is reported once
 * to {@link RtpEndpoint.Listener#onInactive} (re-armed by the next packet or {@link #restartInactivityTimer()}); a
 * participant whose stream sent nothing for {@code streamIdleTimeout} is closed, which completes its transcript.
 *
 * <p>{@link #close()} plays out what the streams hold and closes the participants (not the call: its owner does).
 */
public final class RtpSession implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RtpSession.class);
    static final long RELATCH_MILLIS = 2_000;
    static final int SWITCH_AFTER_PACKETS = 5;
    private static final int MAX_PROBATION = 16;
    static final long SWITCH_AFTER_SILENCE_MILLIS = 100;

    private final RtpEndpointSpec spec;
    private final CallHandle call;
    private final RtpEndpoint.Listener listener;
    private final Executor cpu;
    private final MediaTimer timer;
    private final LongSupplier clock;
    private final MediaMetrics metrics;
    private final RtpParser parser;
    private final DropCounter drops;
    private final Map<String, Route> routes = new HashMap<>();
    /** Sources on probation: the first packet of each, until the next one in sequence confirms it (a few kept). */
    private final Map<Long, RtpPacket> probation = new java.util.LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, RtpPacket> eldest) {
            return size() > MAX_PROBATION;
        }
    };
    private volatile InetSocketAddress remote;
    private long remoteLastNanos;
    private volatile long lastPacketNanos;
    private boolean inactiveReported;
    /** When {@link #restartInactivityTimer()} was last asked for; read by housekeeping (network thread). */
    private volatile long restartedAtNanos = Long.MIN_VALUE;
    /** How many restarts were asked for; written after {@link #restartedAtNanos}, read before it. */
    private final java.util.concurrent.atomic.AtomicLong restarts = new java.util.concurrent.atomic.AtomicLong();
    private long restartsSeen;
    private volatile boolean closed;
    /** Completes when the streams closed by {@link #closeAsync()} are done. Guarded by this. */
    private CompletableFuture<Void> closing = CompletableFuture.completedFuture(null);

    /** Network-thread routing state of one participant. */
    private static final class Route {
        final RtpStream stream;
        long activeSsrc;
        long activeLastNanos;
        long candidateSsrc = -1;
        final List<RtpPacket> pending = new ArrayList<>(SWITCH_AFTER_PACKETS);

        Route(RtpStream stream, long ssrc, long now) {
            this.stream = stream;
            this.activeSsrc = ssrc;
            this.activeLastNanos = now;
        }
    }

    /**
     * @param cpu   the pool the participants' workers run on
     * @param timer wakes a worker when a jitter-buffer hole expires
     * @param clock the receive clock (nanoseconds), also used for packets' arrival times
     */
    public RtpSession(RtpEndpointSpec spec, CallHandle call, RtpEndpoint.Listener listener, Executor cpu,
            MediaTimer timer, LongSupplier clock, MediaMetrics metrics) {
        this.spec = spec;
        this.call = call;
        this.listener = listener == null ? RtpEndpoint.Listener.NONE : listener;
        this.cpu = cpu;
        this.timer = timer;
        this.clock = clock;
        this.metrics = metrics;
        this.drops = metrics.dropCounter("rtp");
        this.parser = new RtpParser(drops, spec.audioLevelExtensionId(),
                type -> metrics.counter("rtp.rtcp." + RtpParser.rtcpTypeName(type)).increment());
        this.lastPacketNanos = clock.getAsLong();
    }

    /** The sender this session latched onto, once one has sent valid RTP. */
    public Optional<InetSocketAddress> remoteAddress() {
        return Optional.ofNullable(remote);
    }

    public RtpEndpointSpec spec() {
        return spec;
    }

    public String callId() {
        return call.callId();
    }

    /** The streams now open, by participant id (for stats and tests). */
    public synchronized Map<String, RtpStream> streams() {
        Map<String, RtpStream> out = new HashMap<>();
        routes.forEach((k, v) -> out.put(k, v.stream));
        return out;
    }

    /**
     * One datagram from {@code from}, arrived now; {@code data} belongs to this session from now on (the first
     * {@code len} bytes are the datagram). Called by one network thread at a time; never blocks.
     */
    public void receive(byte[] data, int len, InetSocketAddress from) {
        try {
            receive(data, len, from, clock.getAsLong());
        } catch (RuntimeException e) {
            // a packet hook or the call sink failed: this datagram is lost, the session and the network thread go on
            drops.drop("error-" + e.getClass().getSimpleName(), "call " + call.callId() + ": " + e.getMessage());
        }
    }

    private void receive(byte[] data, int len, InetSocketAddress from, long now) {
        if (closed) return;
        if (!acceptSource(from, now)) {
            drops.drop("foreign-source", "packet from " + from + " while latched to " + remote);
            return;
        }
        int n = spec.transformer().transform(data, len);
        if (n < 0 || n > len) {
            drops.drop("transform-rejected", "packet transformer refused " + len + " bytes from " + from);
            return;
        }
        RtpPacket p = parser.parse(data, n, now);
        if (p == null) return;
        switch (spec.payloadTypes().kind(p.payloadType())) {
            case TELEPHONE_EVENT -> {
                drops.drop("telephone-event", "RFC 4733 event, PT " + p.payloadType());
                return;
            }
            case COMFORT_NOISE -> {
                drops.drop("comfort-noise", "RFC 3389 CN, PT " + p.payloadType());
                return;
            }
            case UNKNOWN -> {
                drops.drop("unknown-payload-type", "PT " + p.payloadType() + " not in " + spec.payloadTypes());
                return;
            }
            case AUDIO -> { }
        }
        latch(from, now);
        lastPacketNanos = now;
        inactiveReported = false;
        metrics.counter("rtp.packets.received").increment();
        route(p, now);
    }

    private boolean acceptSource(InetSocketAddress from, long now) {
        if (spec.expectedRemote() != null) return spec.expectedRemote().equals(from.getAddress());
        InetSocketAddress r = remote;
        return r == null || r.equals(from) || now - remoteLastNanos >= RELATCH_MILLIS * 1_000_000L;
    }

    private void latch(InetSocketAddress from, long now) {
        remoteLastNanos = now;
        if (!from.equals(remote)) {
            remote = from;
            LOG.info("call {}: RTP receiving from {}", call.callId(), from);
            listener.onRemoteAddress(from);
        }
    }

    private void route(RtpPacket p, long now) {
        ParticipantSpec who = spec.participants().participantFor(p.ssrc());
        if (who == null) {
            drops.drop("ignored-ssrc", "no participant for SSRC " + p.ssrc());
            return;
        }
        Route r;
        synchronized (this) {
            if (closed) return;
            r = routes.get(who.participantId());
            if (r == null) {
                if (routes.size() >= spec.maxStreams()) {
                    drops.drop("too-many-streams", routes.size() + " participants already in call " + call.callId());
                    return;
                }
                // RFC 3550 A.1 probation: a new source counts once two packets in sequence arrived, so stray or
                // forged packets with random SSRCs cannot use up the call's participants
                RtpPacket first = probation.get(p.ssrc());
                if (first == null || ((first.sequenceNumber() + 1) & 0xffff) != p.sequenceNumber()) {
                    probation.put(p.ssrc(), p);
                    return;
                }
                probation.remove(p.ssrc());
                ParticipantAudio audio = call.openParticipant(who);
                RtpStream s = RtpStream.open(who.participantId(), audio, new MediaTimeline(), spec.payloadTypes(),
                        spec.stream(), cpu, timer, clock, metrics);
                r = new Route(s, p.ssrc(), now);
                routes.put(who.participantId(), r);
                metrics.counter("rtp.streams.opened").increment();
                s.offer(first);
            }
        }
        if (p.ssrc() != r.activeSsrc) {
            candidate(r, p, now, who);
            return;
        }
        if (!r.pending.isEmpty()) {
            // the active source is still sending: the other one competes with it and loses
            drops.drop("ssrc-conflict", r.pending.size() + " packets of SSRC " + r.candidateSsrc + " compete with "
                    + r.activeSsrc + " for " + who.participantId());
            r.pending.clear();
            r.candidateSsrc = -1;
        }
        r.activeLastNanos = now;
        r.stream.offer(p);
    }

    /**
     * A packet of another SSRC for a participant that already has one: the newcomer takes over once the active
     * source has been quiet for {@value #SWITCH_AFTER_SILENCE_MILLIS} ms or the newcomer has sent
     * {@value #SWITCH_AFTER_PACKETS} packets with none from the active source in between (a sender that restarted);
     * its packets wait meanwhile and are delivered on the switch, so a restart loses nothing. Two sources sending at
     * once never switch back and forth: the active one keeps the participant.
     */
    private void candidate(Route r, RtpPacket p, long now, ParticipantSpec who) {
        if (r.candidateSsrc != p.ssrc()) {
            if (!r.pending.isEmpty()) {
                drops.drop("ssrc-conflict", r.pending.size() + " packets of SSRC " + r.candidateSsrc + " for "
                        + who.participantId());
            }
            r.pending.clear();
            r.candidateSsrc = p.ssrc();
        }
        r.pending.add(p);
        if (now - r.activeLastNanos >= SWITCH_AFTER_SILENCE_MILLIS * 1_000_000L || r.pending.size() >= SWITCH_AFTER_PACKETS) {
            LOG.info("call {}: participant {} now SSRC {} (was {})", call.callId(), who.participantId(), p.ssrc(),
                    r.activeSsrc);
            r.activeSsrc = p.ssrc();
            r.activeLastNanos = now;
            r.candidateSsrc = -1;
            for (RtpPacket q : r.pending) r.stream.offer(q);
            r.pending.clear();
        }
    }

    /**
     * Starts the inactivity timeout afresh from now, as a packet would: after a report, another one follows when
     * nothing arrives for the timeout again. For a stream that comes off hold. Any thread.
     *
     * @return this restart's number: reports made after housekeeping saw it carry it or a later one
     *         ({@link RtpEndpoint.Listener#onInactive(Duration, long)}), so a report made before it can be told apart
     */
    public long restartInactivityTimer() {
        restartedAtNanos = clock.getAsLong();
        return restarts.incrementAndGet();
    }

    /** Periodically, on the network thread: the inactivity report and closing idle participants. */
    public void housekeeping() {
        long seen = restarts.get();   // before the time it goes with: that time is then at least as new
        long now = clock.getAsLong();
        if (closed) return;
        if (seen != restartsSeen) {
            restartsSeen = seen;
            long restarted = restartedAtNanos;
            if (restarted - lastPacketNanos > 0) lastPacketNanos = restarted;
            inactiveReported = false;
        }
        long idle = now - lastPacketNanos;
        if (!inactiveReported && idle >= spec.inactivityTimeout().toNanos()) {
            inactiveReported = true;
            metrics.counter("rtp.endpoints.inactive").increment();
            listener.onInactive(Duration.ofNanos(idle), seen);
        }
        List<RtpStream> ended = new ArrayList<>();
        synchronized (this) {
            routes.values().removeIf(r -> {
                boolean gone = now - r.stream.lastPacketNanos() >= spec.streamIdleTimeout().toNanos();
                if (gone) ended.add(r.stream);
                return gone;
            });
        }
        for (RtpStream s : ended) {
            LOG.info("call {}: participant {} sent no RTP for {} ms; closing its stream", call.callId(),
                    s.participantId(), spec.streamIdleTimeout().toMillis());
            s.close();
        }
    }

    /**
     * Stops accepting datagrams, plays out buffered audio and closes the participants' streams. Waits (up to a few
     * seconds) for them to finish so that the caller may close the call next. Idempotent.
     */
    @Override
    public void close() {
        try {
            closeAsync().get(5, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            LOG.warn("call {}: RTP streams did not finish within 5 s", call.callId());
        } catch (java.util.concurrent.ExecutionException e) {
            LOG.warn("call {}: RTP stream failed while closing", call.callId(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Stops accepting datagrams and starts playing out buffered audio and closing the participants' streams, on
     * their workers; completes when all are done. Never blocks. A second call completes when the first's streams do.
     */
    public CompletableFuture<Void> closeAsync() {
        List<RtpStream> all = new ArrayList<>();
        synchronized (this) {
            if (closed) return closing;
            closed = true;
            routes.values().forEach(r -> all.add(r.stream));
            routes.clear();
            closing = CompletableFuture.allOf(all.stream().map(RtpStream::close).toArray(CompletableFuture[]::new));
            return closing;
        }
    }
}
