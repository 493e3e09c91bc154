package org.streamasr.stream;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;
import org.streamasr.runtime.DistinctErrorLog;
import org.streamasr.engine.Acceleration;
import org.streamasr.engine.SpeechEngine;
import org.streamasr.engine.UnsupportedSettingException;
import org.streamasr.media.CallHandle;
import org.streamasr.media.CallRejectedException;
import org.streamasr.media.CallSink;
import org.streamasr.media.CallSpec;
import org.streamasr.runtime.DropCounter;
import org.streamasr.media.MediaMetrics;
import org.streamasr.media.TranscriptListener;

/**
 * The live calls of one server, and the {@link CallSink} that media adapters open calls through. Creates a call on
 * first open and lets later opens of the same id join it; ends calls that went idle; refuses calls past capacity.
 *
 * <p>Threads: opens come from network threads and the HTTP API; idle checks run on the shared scheduler; transcript
 * delivery runs on {@code eventPool}, one call at a time. Nothing here blocks on the engine.
 */
public final class CallRegistry implements CallSink, AutoCloseable {
    private static final Pattern CALL_ID = Pattern.compile("[A-Za-z0-9._~:@+=-]{1,200}");
    private static final SecureRandom RANDOM = new SecureRandom();

    private final CallsConfig config;
    private final EngineCatalog engines;
    private final CallEvents events;
    private final DropCounter drops;
    private final ScheduledExecutorService scheduler;
    private final Executor eventPool;
    private final DistinctErrorLog errors;
    private final Clock clock;
    private final LongSupplier nanoTime;
    /** What every call gets from here (calls never hold the registry). */
    private final CallContext callContext;
    private final Map<String, CallSession> calls = new ConcurrentHashMap<>();
    private final List<Consumer<CallSession>> observers = new CopyOnWriteArrayList<>();
    private final ScheduledFuture<?> idleSweep;
    private final ScheduledFuture<?> participantIdleSweep;
    private final java.util.concurrent.atomic.LongAdder idleFinalized;
    private volatile boolean accepting = true;
    private final Map<SpeechEngine, EngineShares> shares = new ConcurrentHashMap<>();
    private volatile EngineShares.Policy sharePolicy = EngineShares.Policy.DEFAULT;
    private volatile int nodeStreamLimit;

    public CallRegistry(CallsConfig config, EngineCatalog engines, MediaMetrics media, CallEvents events,
                        ScheduledExecutorService scheduler, Executor eventPool, DistinctErrorLog errors) {
        this(config, engines, media, events, scheduler, eventPool, errors, Clock.systemUTC(), System::nanoTime);
    }

    /** With injected clocks, for tests of idle timeouts. */
    public CallRegistry(CallsConfig config, EngineCatalog engines, MediaMetrics media, CallEvents events,
                        ScheduledExecutorService scheduler, Executor eventPool, DistinctErrorLog errors, Clock clock,
                        LongSupplier nanoTime) {
        this.config = config;
        this.engines = engines;
        this.events = events;
        this.drops = media.dropCounter("calls");
        this.scheduler = scheduler;
        this.eventPool = eventPool;
        this.errors = errors;
        this.clock = clock;
        this.nanoTime = nanoTime;
        this.callContext = new CallContext(config, events, drops, errors, scheduler, eventPool, clock, nanoTime,
                this::remove);
        long period = Math.max(10, Math.min(5_000, config.idleTimeout().toMillis() / 4));
        this.idleSweep = scheduler.scheduleWithFixedDelay(this::endIdleCalls, period, period, TimeUnit.MILLISECONDS);
        this.idleFinalized = media.counter("calls.participants.idle-finalized");
        long finalize = config.participantIdleFinalize().toMillis();
        // A fifth of the idle time between checks: a final comes at most 20% later than the configured time.
        long every = Math.max(10, Math.min(250, finalize / 5));
        this.participantIdleSweep = finalize <= 0 ? null
                : scheduler.scheduleWithFixedDelay(this::finalizeIdleParticipants, every, every, TimeUnit.MILLISECONDS);
    }

    /**
     * How engine streams are shared between calls (asr.calls.engine-streams, max-streams-per-call); set at start-up,
     * before any call opens.
     */
    public void shareEngines(Integer engineStreams, Integer maxStreamsPerCall, int reservedForApi) {
        sharePolicy = new EngineShares.Policy(engineStreams, maxStreamsPerCall, reservedForApi);
        shares.clear();
    }

    /**
     * asr.cluster.max-streams: at this {@link #load()} a new call is refused (counted as
     * {@code asr_media_dropped_total{component="calls",reason="node-full"}}); joins of live calls go on. 0: no limit.
     */
    public void limitNodeStreams(int maxStreams) {
        nodeStreamLimit = maxStreams;
    }

    /** asr.cluster.max-streams (0: no limit). */
    public int nodeStreamLimit() {
        return nodeStreamLimit;
    }

    /**
     * The streams this node carries or has promised: each call's participants, and one for a call that has none yet
     * (an RTP call waiting for its first packet will carry at least one), so calls placed in a burst count at once.
     */
    public int load() {
        int load = 0;
        for (CallSession c : calls.values()) load += Math.max(1, c.participants().size());
        return load;
    }

    /** Whether a new call would be refused for asr.cluster.max-streams now. */
    public boolean full() {
        int limit = nodeStreamLimit;
        return limit > 0 && load() >= limit;
    }

    /** The shares of {@code engine}'s streams. */
    EngineShares shares(SpeechEngine engine) {
        return shares.computeIfAbsent(engine, e -> new EngineShares(e.maxStreams(), sharePolicy));
    }

    /** {@code observer} sees every call as it opens, before any audio (caption broadcasters attach here). */
    public void onCallOpened(Consumer<CallSession> observer) {
        observers.add(observer);
    }

    // ---- CallSink ----

    @Override
    public CallHandle openCall(CallSpec spec, TranscriptListener listener) throws CallRejectedException {
        String acceleration = spec.attributes().get("acceleration");
        // the outside APIs (org.streamasr.apis.ServedModel) ask for a model's engine this way
        CallRequest request = new CallRequest(spec.callId(), spec.source(), spec.attributes().get("asr.engine"),
                spec.attributes().get("asr.model"), spec.language(),
                acceleration, spec.attributes());
        return open(request, listener == null ? TranscriptListener.NONE : listener, true);
    }

    /**
     * Opens a call for the HTTP API. The call stays until {@link CallSession#end} (DELETE), an idle timeout or
     * shutdown, whatever adapters join and leave it.
     */
    public CallSession create(CallRequest request) throws CallRejectedException {
        if (request.callId() != null && calls.containsKey(request.callId())) {
            throw new CallRejections.AlreadyExists("call '" + request.callId() + "' already exists");
        }
        return ((CallLease) open(request, TranscriptListener.NONE, false)).call();
    }

    private CallHandle open(CallRequest request, TranscriptListener listener, boolean join)
            throws CallRejectedException {
        String id = request.callId() == null || request.callId().isBlank() ? UUID.randomUUID().toString()
                : request.callId();
        if (!CALL_ID.matcher(id).matches()) {
            throw new CallRejectedException("invalid call id: use 1 to 200 of A-Z a-z 0-9 . _ ~ : @ + = -");
        }
        CallSession existing = calls.get(id);
        if (existing != null && join && existing.isLive()) {
            CallHandle lease = existing.leaseIfLive(listener);
            if (lease != null) return lease;
        }
        // Settings are checked outside the lock: the first call for a named engine or model loads it.
        SpeechEngine engine = engines.select(request.engine(), request.model());
        String language = null;
        if (request.language() != null && !request.language().isBlank()) {
            language = resolveLanguage(engine, request.language());
            if (language == null) {
                throw new CallRejectedException("unsupported language '" + request.language() + "' for engine "
                        + engine.name() + "; allowed: " + String.join(", ", sorted(engine.languages())));
            }
        }
        Acceleration acc = resolveAcceleration(engine, request.acceleration());
        CallSession created;
        synchronized (this) {
            existing = calls.get(id);
            if (existing != null) {
                if (!join) throw new CallRejections.AlreadyExists("call '" + id + "' already exists");
                CallHandle lease = existing.leaseIfLive(listener);
                if (lease == null) throw new CallRejections.AlreadyExists("call '" + id + "' is ending");
                return lease;
            }
            if (!accepting) throw new CallRejections.AtCapacity("server is shutting down");
            if (calls.size() >= config.maxCalls()) {
                throw new CallRejections.AtCapacity("server at capacity (" + config.maxCalls() + " live calls)");
            }
            if (full()) {
                drops.drop("node-full", id);
                throw new CallRejections.AtCapacity("node full: " + load() + " streams of asr.cluster.max-streams "
                        + nodeStreamLimit + " in use; try again later or another node");
            }
            created = new CallSession(callContext, shares(engine), id, request.source(), newToken(), engine, language,
                    languageInEffect(engine, language), acc, request.attributes());
            calls.put(id, created);
        }
        for (Consumer<CallSession> o : observers) o.accept(created);
        events.callStarted(created);
        return created.lease(listener);
    }

    private static Acceleration resolveAcceleration(SpeechEngine engine, String value) throws CallRejectedException {
        if (value == null || value.isBlank()) return null;
        try {
            Acceleration a = Acceleration.parse(value);
            if (!engine.accelerations().contains(a)) {
                throw new UnsupportedSettingException("acceleration", value,
                        engine.accelerations().stream().map(Acceleration::apiValue).sorted().toList(),
                        "engine " + engine.name() + " cannot serve it");
            }
            return a;
        } catch (UnsupportedSettingException e) {
            throw new CallRejectedException(e.getMessage(), e);
        }
    }

    /** The engine's spelling of {@code requested}, or null if it serves none (the one resolver, LanguageResolver). */
    String resolveLanguage(SpeechEngine engine, String requested) {
        return org.streamasr.apis.LanguageResolver.resolveOrNull(engine.languages(), requested);
    }

    /** What a call recognises: its own language, else the engine's default in the engine's spelling. */
    private String languageInEffect(SpeechEngine engine, String language) {
        if (language != null) return language;
        String fallback = engines.defaultLanguage(engine);
        if (fallback == null) return null;
        String resolved = resolveLanguage(engine, fallback);
        return resolved != null ? resolved : fallback;
    }

    /**
     * The default engine's spelling of {@code requested} (see {@link #resolveLanguage}), or null when it does not
     * serve it; for start-up checks of configured languages.
     */
    public String defaultEngineLanguage(String requested) {
        return resolveLanguage(engines.defaultEngine(), requested);
    }

    private static List<String> sorted(java.util.Collection<String> values) {
        return values.stream().sorted().toList();
    }

    private static String newToken() {
        byte[] bytes = new byte[24];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    // ---- queries ----

    public Optional<CallSession> find(String id) {
        return Optional.ofNullable(id == null ? null : calls.get(id));
    }

    /** Live and ending calls, oldest first. */
    public List<CallSession> calls() {
        List<CallSession> out = new ArrayList<>(calls.values());
        out.sort(Comparator.comparing(CallSession::startedAt).thenComparing(CallSession::id));
        return out;
    }

    public int size() {
        return calls.size();
    }

    public EngineCatalog engines() {
        return engines;
    }

    // ---- ending ----

    /** Ends the call {@code id} (flushing its finals); empty if there is no such call. */
    public Optional<CompletableFuture<String>> end(String id, String reason) {
        return find(id).map(c -> c.end(reason));
    }

    private void endIdleCalls() {
        long now = nanoTime.getAsLong();
        long idle = config.idleTimeout().toNanos();
        for (CallSession c : calls.values()) {
            if (c.isLive() && c.idleNanos(now) >= idle) c.end("idle");
        }
    }

    /** Feeds silence to the participants that went quiet (see {@link CallSession#finalizeIdleParticipants}). */
    void finalizeIdleParticipants() {
        long now = nanoTime.getAsLong();
        for (CallSession c : calls.values()) {
            if (c.isLive()) idleFinalized.add(c.finalizeIdleParticipants(now));
        }
    }

    /** Stops taking calls and ends every live call; completes when all have ended. */
    public CompletableFuture<Void> shutdown(String reason) {
        accepting = false;
        List<CompletableFuture<String>> ends = new ArrayList<>();
        for (CallSession c : calls.values()) ends.add(c.end(reason));
        return CompletableFuture.allOf(ends.toArray(CompletableFuture[]::new));
    }

    @Override
    public void close() {
        idleSweep.cancel(false);
        if (participantIdleSweep != null) participantIdleSweep.cancel(false);
    }

    /** Told by a call once it has ended (see {@link CallContext#ended}). */
    private void remove(CallSession call) {
        calls.remove(call.id(), call);
    }
}
