package org.streamasr.stream;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.streamasr.apis.LanguageResolver;
import org.streamasr.engine.Acceleration;
import org.streamasr.engine.RecognitionStream;
import org.streamasr.engine.SpeechEngine;
import org.streamasr.engine.StreamSpec;
import org.streamasr.engine.UnsupportedSettingException;
import org.streamasr.engine.Utterance;
import org.streamasr.media.ParticipantAudio;
import org.streamasr.media.ParticipantSpec;
import org.streamasr.media.TranscriptEvent;
import org.streamasr.media.TranscriptListener;
import org.streamasr.runtime.SerialExecutor;

/**
 * One live call: its participants' ASR streams, the listeners its transcripts go to, and its end. Created by
 * {@link CallRegistry} with a {@link CallContext}, what it needs from around it (the call never holds the registry);
 * adapters hold it through {@link CallLease}s, and the call ends when the last lease is closed, on an API request,
 * after an idle timeout, on a failure, or at shutdown.
 *
 * <p>Transcripts of all participants are delivered in order, one call at a time, on the call's {@link SerialExecutor}.
 * An error in any of the call's stages is caught there, logged once per distinct error, and ends this call cleanly
 * (its streams are flushed, its listeners told); the engine, the pool and other calls carry on.
 */
public final class CallSession {
    private static final Logger LOG = LoggerFactory.getLogger(CallSession.class);

    /** One participant as listings show it. */
    public record ParticipantInfo(String id, String name, String language, long audioMillis) {
    }

    private final CallContext context;
    private final EngineShares engineShares;
    private final String id;
    private final String source;
    private final String token;
    private final SpeechEngine engine;
    private final String language;
    private final String languageInEffect;
    private final Acceleration acceleration;
    private final Map<String, String> attributes;
    private final Instant startedAt;
    private final long startNanos;
    private final SerialExecutor lane;

    private final Map<String, ParticipantStream> participants = new ConcurrentHashMap<>();
    private final Set<ParticipantStream> streams = ConcurrentHashMap.newKeySet();
    private final List<TranscriptListener> listeners = new CopyOnWriteArrayList<>();
    private final Set<CallLease> leases = ConcurrentHashMap.newKeySet();
    private final List<AutoCloseable> resources = new CopyOnWriteArrayList<>();
    private final List<Supplier<? extends CompletionStage<?>>> sources = new CopyOnWriteArrayList<>();
    private final Map<String, Object> info = new ConcurrentHashMap<>();
    private final AtomicReference<String> endReason = new AtomicReference<>();
    private final AtomicBoolean failed = new AtomicBoolean();
    private final AtomicBoolean completed = new AtomicBoolean();
    private final CompletableFuture<String> ended = new CompletableFuture<>();
    private volatile long lastActivityNanos;
    /** How participant streams reach this call (they never hold it). */
    private final ParticipantCallbacks participantCallbacks = new ParticipantCallbacks() {
        @Override
        public void audioArrived() {
            touch();
        }

        @Override
        public void transcript(ParticipantTranscripts from, Utterance u, boolean isFinal, long latencyNanos) {
            deliver(from, u, isFinal, latencyNanos);
        }

        @Override
        public void failed(String stage, Throwable error) {
            fail(stage, error);
        }

        @Override
        public void closeRequested(ParticipantStream participant) {
            closeParticipant(participant);
        }
    };

    /** @param engineShares the shares of {@code engine}'s streams between calls */
    CallSession(CallContext context, EngineShares engineShares, String id, String source, String token,
                SpeechEngine engine, String language, String languageInEffect, Acceleration acceleration,
                Map<String, String> attributes) {
        this.context = context;
        this.engineShares = engineShares;
        this.id = id;
        this.source = source;
        this.token = token;
        this.engine = engine;
        this.language = language;
        this.languageInEffect = languageInEffect;
        this.acceleration = acceleration;
        this.attributes = Map.copyOf(attributes);
        this.startedAt = Instant.ofEpochMilli(context.clock().millis());
        this.startNanos = context.nanoTime().getAsLong();
        this.lastActivityNanos = startNanos;
        this.lane = new SerialExecutor(context.eventPool(), context.config().eventQueue(), 64,
                SerialExecutor.WhenPoolRefuses.RUN_HERE, (task, error) -> fail("transcript-delivery", error));
    }

    public String id() {
        return id;
    }

    public String source() {
        return source;
    }

    /** The secret that opens this call's captions. */
    public String token() {
        return token;
    }

    public String engineName() {
        return engine.name();
    }

    /** The call's language, or null for the engine's default. */
    public String language() {
        return language;
    }

    /** The language the call is recognised in: its own, or the engine's default ("auto" where it detects). */
    public String languageInEffect() {
        return languageInEffect;
    }

    public Acceleration acceleration() {
        return acceleration;
    }

    public Map<String, String> attributes() {
        return attributes;
    }

    public Instant startedAt() {
        return startedAt;
    }

    /** Extra facts for listings, e.g. "rtpPort"; set by whoever wires media to the call. */
    public Map<String, Object> info() {
        return info;
    }

    public boolean isLive() {
        return endReason.get() == null;
    }

    /** Completes with the reason once the call has ended and every listener was told. */
    public CompletableFuture<String> ended() {
        return ended;
    }

    public List<ParticipantInfo> participants() {
        List<ParticipantInfo> out = new ArrayList<>();
        for (ParticipantStream p : participants.values()) {
            out.add(new ParticipantInfo(p.participantId(), p.displayName(), p.language(), p.audioMillis()));
        }
        out.sort((a, b) -> a.id().compareTo(b.id()));
        return out;
    }

    /** Transcript events waiting on this call's lane. */
    public int queuedEvents() {
        return lane.size();
    }

    /** Audio accepted by this call's streams but not yet recognised, in samples. */
    public long pendingSamples() {
        long sum = 0;
        for (ParticipantStream p : streams) sum += p.pendingSamples();
        return sum;
    }

    /** Adds a listener for the whole life of the call (caption broadcasters, recorders). */
    public void addListener(TranscriptListener listener) {
        listeners.add(listener);
    }

    /** Closes {@code resource} when the call ends (an RTP port, a socket). */
    public void closeOnEnd(AutoCloseable resource) {
        resources.add(resource);
        if (!isLive() && completed.get()) closeResources();
    }

    /**
     * A source of this call's audio with buffers of its own (an RTP port's jitter buffers and decoders): when the call
     * ends, {@code drain} is started first, and the participants are finished once what it completes with is done, so
     * audio in flight when the call is ended (a DELETE right after the sender's last packet) still reaches the
     * engine. {@code drain} must not block; it is bounded by the call's finish timeout. Register before the call ends.
     */
    public void drainOnEnd(Supplier<? extends CompletionStage<?>> drain) {
        sources.add(drain);
    }

    private void touch() {
        lastActivityNanos = context.nanoTime().getAsLong();
    }

    /** Finalises the open utterances of participants that went quiet (see {@link ParticipantStream#finalizeIfIdle}). */
    int finalizeIdleParticipants(long nowNanos) {
        int n = 0;
        for (ParticipantStream p : streams) {
            if (p.finalizeIfIdle(nowNanos)) n++;
        }
        return n;
    }

    long idleNanos(long now) {
        return now - lastActivityNanos;
    }

    // ---- leases ----

    CallLease lease(TranscriptListener listener) {
        CallLease lease = new CallLease(this, listener);
        leases.add(lease);
        if (listener != TranscriptListener.NONE) listeners.add(listener);
        return lease;
    }

    /** A new lease, or null when the call is already ending. */
    CallLease leaseIfLive(TranscriptListener listener) {
        return isLive() ? lease(listener) : null;
    }

    void release(CallLease lease) {
        if (!leases.remove(lease)) return;
        if (leases.isEmpty()) {
            end("closed");
            return;
        }
        // Other adapters still use the call: end only what this one opened.
        listeners.remove(lease.listener());
        for (String participantId : lease.participantIds()) {
            ParticipantStream p = participants.get(participantId);
            if (p != null) closeParticipant(p);
        }
    }

    // ---- participants ----

    ParticipantAudio openParticipant(ParticipantSpec spec) {
        if (!isLive()) return discarding(spec.participantId());
        ParticipantStream existing = participants.get(spec.participantId());
        if (existing != null) return existing;
        String lang = spec.language() == null ? language
                : LanguageResolver.resolveOrNull(engine.languages(), spec.language());
        if (lang == null && spec.language() != null) {
            context.drops().drop("participant-language", id + "/" + spec.participantId() + ": unsupported language '"
                    + spec.language() + "', using the call's");
            lang = language;
        }
        CallsConfig c = context.config();
        ParticipantStream p = new ParticipantStream(new ParticipantContext(id, spec.participantId(), spec.displayName(),
                lang, c.maxGapFill().toMillis() * 16, c.participantIdleFinalize(), c.participantIdleSilence(),
                context.drops(), context.nanoTime()), participantCallbacks);
        // a share of the engine first: a participant beyond it is refused alone, never failing this call or another
        EngineShares.Refusal refused = engineShares.acquire(id);
        if (refused != null) {
            context.drops().drop(refused.dropReason, id + "/" + spec.participantId() + ": " + engineShares.perCall()
                    + " engine streams per call, " + engineShares.capacity() + " for all calls");
            return new DiscardingParticipant(id, spec.participantId(), context.drops(), refused.dropReason + "-audio");
        }
        RecognitionStream stream;
        try {
            stream = engine.openStream(StreamSpec.live(lang, acceleration, id + "/" + spec.participantId()),
                    p.transcripts());
        } catch (UnsupportedSettingException | RuntimeException e) {
            engineShares.release(id);
            fail("stream-open", e);
            return discarding(spec.participantId());
        }
        p.attach(stream);
        ParticipantStream raced = participants.putIfAbsent(spec.participantId(), p);
        if (raced != null) {
            stream.close();
            engineShares.release(id);
            return raced;
        }
        streams.add(p);
        context.events().streamOpened(this, p.participantId());
        touch();
        if (!isLive()) {
            // The call began ending while this stream opened; let the end flow see it.
            p.finish();
            if (completed.get()) releaseStream(p, false);
        }
        return p;
    }

    ParticipantAudio discarding(String participantId) {
        return new DiscardingParticipant(id, participantId, context.drops());
    }

    private void closeParticipant(ParticipantStream p) {
        if (!participants.remove(p.participantId(), p)) return;
        p.finish();
        p.finished().whenComplete((flushed, error) -> lane.append(() -> {
            releaseStream(p, Boolean.TRUE.equals(flushed));
            for (TranscriptListener l : listeners) l.onParticipantEnded(id, p.participantId());
        }));
    }

    private void releaseStream(ParticipantStream p, boolean flushed) {
        streams.remove(p);
        if (p.release()) {
            engineShares.release(id);
            context.events().streamClosed(this, p.participantId(), p.audioMillis(), flushed);
        }
    }

    // ---- transcripts ----

    /** From an engine thread: queue a result for delivery; partials give way when the call is behind. */
    private void deliver(ParticipantTranscripts p, Utterance u, boolean isFinal, long latencyNanos) {
        if (lane.offer(() -> dispatch(p, u, isFinal, latencyNanos), !isFinal)) return;
        if (!isFinal) {
            context.drops().drop("event-backlog", id + ": partial dropped, " + lane.size() + " events queued");
        } else {
            fail("transcript-delivery", new IllegalStateException("call " + id + " has "
                    + lane.size() + " undelivered transcript events; its listeners are not keeping up"));
            lane.append(() -> dispatch(p, u, true, latencyNanos));
        }
    }

    private void dispatch(ParticipantTranscripts p, Utterance u, boolean isFinal, long latencyNanos) {
        TranscriptEvent event = p.toEvent(u, isFinal);
        if (event == null) return;
        context.events().transcript(this, event, latencyNanos);
        for (TranscriptListener l : listeners) {
            try {
                l.onTranscript(event);
            } catch (RuntimeException e) {
                // A broken listener gets nothing more; the call ends cleanly for the others.
                listeners.remove(l);
                fail("transcript-listener", e);
            }
        }
    }

    // ---- end ----

    /** Records a failure of one of this call's stages and ends the call. */
    void fail(String stage, Throwable error) {
        context.errors().record(stage, error);
        if (failed.compareAndSet(false, true)) {
            context.events().callFailed(this, stage, error);
            end("failed");
        }
    }

    /**
     * Ends the call: participants stop taking audio, the engine delivers their last finals (up to the finish
     * timeout), listeners get {@code onCallEnded}, and the call leaves the registry. Idempotent; the first reason wins.
     */
    public CompletableFuture<String> end(String reason) {
        if (!endReason.compareAndSet(null, reason)) return ended;
        participants.clear();
        CompletableFuture<Void> all = drainSources().thenCompose(drained -> {
            List<CompletableFuture<Boolean>> flushes = new ArrayList<>();
            for (ParticipantStream p : streams) {
                p.finish();
                flushes.add(p.finished());
            }
            return CompletableFuture.allOf(flushes.toArray(CompletableFuture[]::new));
        });
        long timeoutMillis = context.config().finishTimeout().toMillis();
        var timeout = context.scheduler().schedule(() -> all.complete(null), timeoutMillis, TimeUnit.MILLISECONDS);
        all.whenComplete((v, e) -> {
            timeout.cancel(false);
            complete(reason);
        });
        return ended;
    }

    /** Starts every source's drain; completes (never exceptionally) when all are done. */
    private CompletableFuture<Void> drainSources() {
        List<CompletableFuture<?>> drains = new ArrayList<>();
        for (Supplier<? extends CompletionStage<?>> source : sources) {
            try {
                drains.add(source.get().toCompletableFuture().exceptionally(e -> {
                    context.errors().record("call-source-drain", e);
                    return null;
                }));
            } catch (RuntimeException e) {
                context.errors().record("call-source-drain", e);
            }
        }
        return CompletableFuture.allOf(drains.toArray(CompletableFuture[]::new));
    }

    private void complete(String reason) {
        if (!completed.compareAndSet(false, true)) return;
        for (ParticipantStream p : streams) {
            Boolean flushed = p.finished().getNow(null);
            if (flushed == null) {
                LOG.warn("call {}: participant {} did not flush within {} ms; its last words may be lost", id,
                        p.participantId(), context.config().finishTimeout().toMillis());
            }
            releaseStream(p, Boolean.TRUE.equals(flushed));
        }
        closeResources();
        // After every queued final: the lane is FIFO, and the streams delivered before they finished.
        lane.append(() -> {
            for (TranscriptListener l : listeners) {
                try {
                    l.onCallEnded(id, reason);
                } catch (RuntimeException e) {
                    context.errors().record("call-ended-listener", e);
                }
            }
            context.ended().accept(this);
            context.events().callEnded(this, reason, Duration.ofNanos(context.nanoTime().getAsLong() - startNanos));
            ended.complete(reason);
        });
    }

    private void closeResources() {
        for (AutoCloseable r : resources) {
            if (!resources.remove(r)) continue;
            try {
                r.close();
            } catch (Exception e) {
                context.errors().record("call-resource-close", e);
            }
        }
    }

    @Override
    public String toString() {
        return "call " + id + " (" + source + ")";
    }
}
