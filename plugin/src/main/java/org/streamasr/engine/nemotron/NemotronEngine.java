package org.streamasr.engine.nemotron;

import ai.onnxruntime.OrtEnvironment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.streamasr.engine.Acceleration;
import org.streamasr.engine.ApiLanguages;
import org.streamasr.engine.BatchListener;
import org.streamasr.engine.EngineConfig;
import org.streamasr.engine.RecognitionListener;
import org.streamasr.engine.RecognitionStream;
import org.streamasr.engine.SpeechEngine;
import org.streamasr.engine.StreamSpec;
import org.streamasr.engine.UnsupportedSettingException;
import org.streamasr.engine.batch.BatchScheduler;
import org.streamasr.engine.vad.SileroVadModel;
import org.streamasr.runtime.DropCounter;
import org.streamasr.runtime.AudioInbox;
import org.streamasr.runtime.ExecutorShutdown;
import org.streamasr.runtime.NamedThreads;

/**
 * NVIDIA's cache-aware streaming Nemotron ASR (the English model or the multilingual 3.5 model, sherpa-onnx exports)
 * on ONNX Runtime, many streams batched per model run.
 *
 * <p>Shared and immutable: the exports found in the model directory (one per chunk size; {@link ModelDirectory}),
 * checked against the contract at start-up without loading weights, the vocabulary, and per acceleration mode the
 * sessions ({@link ChunkModels}), loaded on the first stream that asks for that mode. Per stream: inbox, features,
 * caches, decoder state, transcript ({@link NemotronStream}). References point one way: streams and batches get the
 * shared {@link EngineContext} and a stream its {@link StreamOwner}, never the engine.
 *
 * <p>Threads: a scheduler and {@code inference-workers} workers ({@link BatchScheduler}), one delivery thread for
 * listener calls. Producers never block on inference.
 *
 * <p>Settings in {@link EngineConfig#extra()} (documented in reference.conf): {@link NemotronConfig}, and the
 * ONNX Runtime options of {@link OrtSessionFactory}.
 */
public final class NemotronEngine implements SpeechEngine {
    public static final String NAME = "nemotron";
    private static final Logger log = LoggerFactory.getLogger(NemotronEngine.class);
    private static final AtomicInteger ENGINE_SEQ = new AtomicInteger();

    private final EngineConfig options;
    private final NemotronConfig engineSettings;
    private final OrtSessionFactory sessions;
    private final ChunkModels models;
    private final Map<ChunkModel, ConcurrentLinkedQueue<StreamCaches>> cachePools = new ConcurrentHashMap<>();
    private final Vocabulary vocabulary;
    private final PromptLanguages languages;
    private final SileroVadModel vad;
    private final BatchScheduler<ChunkModel, NemotronStream> scheduler;
    private final ExecutorService delivery;
    private final Set<NemotronStream> streams = ConcurrentHashMap.newKeySet();
    private final DropCounter drops = new DropCounter(NAME);
    private final Map<String, Boolean> loggedErrors = new ConcurrentHashMap<>();
    private final AtomicLong streamSeq = new AtomicLong();
    private final AtomicLong chunksRun = new AtomicLong();
    private final AtomicLong chunksSkipped = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private final AtomicLong coalescedPartials = new AtomicLong();
    private final EngineStats stats = new EngineStats();
    private final boolean vadGating;
    private final int engineNo = ENGINE_SEQ.incrementAndGet();
    private final EngineContext context;
    private final StreamOwner owner = new Owner();
    private volatile boolean closed;

    private NemotronEngine(EngineConfig options) {
        this.options = options;
        validate(options);
        this.engineSettings = NemotronConfig.from(options);
        this.sessions = new OrtSessionFactory(OrtEnvironment.getEnvironment(), options);
        List<String> precision = ModelDirectory.preference(engineSettings.precision(), sessions.provider());
        this.models = new ChunkModels(options.modelDir(), ModelDirectory.scan(options.modelDir(), precision), sessions,
                options.inferenceWorkers(), options.maxBatch(), engineSettings.int8Batching(), engineSettings.int8Weights(), stats);
        ModelDirectory.Export any = models.any();
        this.vocabulary = Vocabulary.read(any.tokens(), any.contract().vocabSize() + 1);
        this.languages = PromptLanguages.of(any.contract());
        checkDefaults(options);
        this.vad = SileroVadModel.fromOptions(options).orElse(null);
        this.vadGating = vad != null && engineSettings.vadSkip();
        String name = "nemotron-" + engineNo;
        this.delivery = Executors.newSingleThreadExecutor(NamedThreads.single(name + "-deliver", true));
        this.context = new EngineContext(engineSettings, vad, vadGating, stats, System::nanoTime, this::countChunks,
                this::reportFailure, drops::drop);
        this.scheduler = new BatchScheduler<>(name, options.inferenceWorkers(), options.maxBatch(), options.maxBatchWait(),
                ChunkModel::maxBatch, (model, batch, worker) -> ChunkBatch.process(context, model, batch, worker));
        log.info("nemotron engine on {}: {} model, modes {}, provider {}, VAD {}", options.modelDir(),
                languages.multilingual() ? "multilingual" : "English", models.available(), sessions.provider(),
                vad == null ? "off" : vadGating ? "on (skips silent chunks)" : "on");
    }

    /**
     * Opens the engine: finds and checks every export in {@code model-dir} (names, dtypes, metadata), reads the
     * vocabulary and loads the VAD. Sessions are loaded per acceleration mode on first use.
     */
    public static NemotronEngine open(EngineConfig options) {
        return new NemotronEngine(options);
    }

    /** The defaults must be servable by this model, or every stream that relies on them would fail. */
    private void checkDefaults(EngineConfig o) {
        if (o.defaultLanguage() != null) {
            try {
                languages.resolve(o.defaultLanguage());
            } catch (UnsupportedSettingException e) {
                throw new IllegalArgumentException("asr.engine.default-language: " + e.getMessage(), e);
            }
        }
        if (o.defaultAcceleration() != null && !models.has(o.defaultAcceleration())) {
            throw new IllegalArgumentException("asr.engine.default-acceleration: '" + o.defaultAcceleration().apiValue()
                    + "' has no " + o.defaultAcceleration().chunkMillis() + " ms export in " + o.modelDir() + "; available: "
                    + accelerations().stream().map(Acceleration::apiValue).toList());
        }
    }

    private static void validate(EngineConfig o) {
        if (o.inferenceWorkers() < 1) throw new IllegalArgumentException("asr.engine.inference-workers must be at least 1");
        if (o.maxBatch() < 1) throw new IllegalArgumentException("asr.engine.max-batch must be at least 1");
        if (o.maxBatchWait() == null || o.maxBatchWait().isNegative()) throw new IllegalArgumentException("asr.engine.max-batch-wait must not be negative");
        if (o.endpointTrailingSilence() == null || o.endpointTrailingSilence().toMillis() < 80) {
            throw new IllegalArgumentException("asr.engine.endpoint-trailing-silence must be at least 80ms");
        }
        if (o.maxUtterance() == null || o.maxUtterance().toMillis() < 1000) throw new IllegalArgumentException("asr.engine.max-utterance must be at least 1s");
        if (o.streamBuffer() == null || o.streamBuffer().toMillis() < 100) throw new IllegalArgumentException("asr.engine.stream-buffer must be at least 100ms");
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Set<String> languages() {
        return languages.supported();
    }

    @Override
    public Set<Acceleration> accelerations() {
        return models.available();
    }

    @Override
    public RecognitionStream openStream(StreamSpec settings, RecognitionListener listener) throws UnsupportedSettingException {
        if (closed) throw new IllegalStateException("nemotron engine is closed");
        String requested = settings.language() != null ? settings.language() : options.defaultLanguage();
        String language = languages.resolve(requested == null ? ApiLanguages.AUTO : requested);
        Acceleration acceleration = settings.acceleration() != null ? settings.acceleration()
                : options.defaultAcceleration() != null ? options.defaultAcceleration() : Acceleration.REGULAR;
        if (!models.has(acceleration)) {
            throw new UnsupportedSettingException("acceleration", acceleration.apiValue(),
                    accelerations().stream().map(Acceleration::apiValue).toList(),
                    "no " + acceleration.chunkMillis() + " ms export in " + options.modelDir());
        }
        ChunkModel model = models.get(acceleration);
        long seq = streamSeq.incrementAndGet();
        String id = "nemotron-" + engineNo + "-" + seq;
        String label = settings.label() == null ? id : settings.label();
        boolean auto = language.equals(ApiLanguages.AUTO);
        EncoderContract c = model.contract;
        long frameMs = c.subsampling() * 10L;
        Transcript.Rules rules = new Transcript.Rules(
                ceilDiv(options.endpointTrailingSilence().toMillis(), frameMs),
                options.endpointTrailingSilence().toMillis() * 16,
                ceilDiv(options.maxUtterance().toMillis(), frameMs),
                ceilDiv(Math.max(2_400, 3 * options.endpointTrailingSilence().toMillis()), frameMs),
                frameMs);
        String reported = auto ? (languages.multilingual() ? null : "en-US") : language;
        Transcript transcript = new Transcript(vocabulary, id, reported, auto && languages.multilingual(), rules);
        ResultDelivery results = new ResultDelivery(listener, delivery, e -> reportFailure(label + " listener", e),
                coalescedPartials::incrementAndGet);
        int bufferSamples = (int) Math.min(Integer.MAX_VALUE / 2, options.streamBuffer().toMillis() * 16);
        ChunkFeeder feeder = new ChunkFeeder(c, vad == null ? null : vad.newStream());
        StreamCaches caches = takeCaches(model);
        NemotronStream stream = new NemotronStream(context, owner, model, label,
                languages.multilingual() ? languages.promptId(language) : 0,
                settings.live(), new AudioInbox(bufferSamples), results, feeder, caches, transcript);
        streams.add(stream);
        return stream;
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }

    private StreamCaches takeCaches(ChunkModel model) {
        StreamCaches c = cachePools.computeIfAbsent(model, k -> new ConcurrentLinkedQueue<>()).poll();
        return c != null ? c : new StreamCaches(model.contract, !model.stateOnDevice());
    }

    /** The engine's side of its streams: the batch queue of each chunk model, and the pool of caches. */
    private final class Owner implements StreamOwner {
        @Override
        public boolean submit(NemotronStream s) {
            return scheduler.submit(s.model, s);
        }

        @Override
        public void expect(NemotronStream s, long atNanos) {
            scheduler.expect(s.model, s, atNanos);
        }

        @Override
        public void forget(NemotronStream s) {
            scheduler.forget(s);
        }

        @Override
        public void release(NemotronStream s) {
            if (streams.remove(s)) {
                ConcurrentLinkedQueue<StreamCaches> pool = cachePools.get(s.model);
                if (pool != null && pool.size() < s.model.maxBatch() * options.inferenceWorkers()) {
                    pool.add(s.caches);
                } else {
                    s.caches.releaseDevice();
                }
            }
        }
    }

    /** Audio the streams dropped, by reason. */
    DropCounter drops() {
        return drops;
    }

    private void countChunks(int run, int skipped) {
        chunksRun.addAndGet(run);
        chunksSkipped.addAndGet(skipped);
    }

    private void reportFailure(String where, Exception e) {
        failures.incrementAndGet();
        String key = e.getClass().getName() + ": " + e.getMessage();
        if (loggedErrors.putIfAbsent(key, Boolean.TRUE) == null && loggedErrors.size() < 1_000) {
            log.error("nemotron {} failed: {}", where, e.toString(), e);
        }
    }

    // ---- counters ----

    /** Streams opened and not yet closed, over all engines in the process (for leak checks). */
    public static int openStreamsInProcess() {
        return NemotronStream.openInProcess();
    }

    /** Tensors the engines created and have not closed yet (for leak checks). */
    public static int openTensorsInProcess() {
        return TensorScope.open();
    }

    /** ONNX Runtime sessions the engines hold (for leak checks). */
    public static int openSessionsInProcess() {
        return ChunkModel.openSessions();
    }

    /** The acceleration modes whose sessions this engine has loaded (each loads on its first stream). */
    public Set<Acceleration> loadedAccelerations() {
        return models.loaded();
    }

    /** ONNX Runtime sessions this engine holds: encoder, decoder and joiner per loaded mode. */
    public int openSessions() {
        return models.openSessions();
    }

    /**
     * Whether a mode's encoder caches stay on the execution device between chunks
     * ({@code asr.engine.nemotron.device-state}; loads the mode).
     */
    public boolean stateOnDevice(Acceleration a) {
        return models.get(a).stateOnDevice();
    }

    /** Bytes of one stream's encoder caches in a mode: what the host path copies each way per chunk (loads the mode). */
    public long cacheBytesPerStream(Acceleration a) {
        return models.get(a).cacheBytesPerStream();
    }

    /** A mode's loaded model (loads it). */
    ChunkModel model(Acceleration a) {
        return models.get(a);
    }

    /** The largest batch a mode's streams share a model run in: max-batch, or 1 (see int8-batching). */
    public int maxBatch(Acceleration a) {
        return models.maxBatch(a);
    }

    /** Time per stage, host and ONNX Runtime, over all workers since start (or the last reset). */
    public EngineStats stats() {
        return stats;
    }

    public long chunksRun() {
        return chunksRun.get();
    }

    /** Chunks of idle streams that the VAD called silent and that were not run through the model. */
    public long chunksSkipped() {
        return chunksSkipped.get();
    }

    public long failures() {
        return failures.get();
    }

    public long batchesRun() {
        return scheduler.batchesRun();
    }

    @Override
    public void addBatchListener(BatchListener listener) {
        scheduler.addListener(listener);
    }

    @Override
    public long bytesToDevice() {
        return stats.bytesToDevice();
    }

    @Override
    public long bytesToHost() {
        return stats.bytesToHost();
    }

    @Override
    public void removeBatchListener(BatchListener listener) {
        scheduler.removeListener(listener);
    }

    /** Time ready streams waited in the scheduler for their batch to leave, summed, in nanoseconds. */
    public long schedulerWaitNanos() {
        return scheduler.waitedNanos();
    }

    /** Stream chunks the scheduler handed to workers (run, skipped or ended). */
    public long scheduledItems() {
        return scheduler.itemsRun();
    }

    public long coalescedPartials() {
        return coalescedPartials.get();
    }

    public Duration maxBatchWait() {
        return options.maxBatchWait();
    }

    /** Ends every stream without flushing, stops the threads, closes the sessions. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        for (NemotronStream s : new ArrayList<>(streams)) s.close();
        scheduler.close();
        ExecutorShutdown.drain(delivery, Duration.ofSeconds(30), "nemotron listeners", log);
        models.close();
        cachePools.clear();
        if (vad != null) vad.close();
    }
}
