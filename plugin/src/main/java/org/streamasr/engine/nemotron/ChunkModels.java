package org.streamasr.engine.nemotron;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.streamasr.engine.Acceleration;
import org.streamasr.engine.ModelContractException;

/**
 * An engine's exports by acceleration mode (checked at start-up, no weights loaded) and their sessions, loaded on the
 * first stream that asks for a mode: other streams of that mode wait for it, streams of other modes do not. Decides
 * each mode's largest batch: {@code max-batch}, or one stream per run for an export that quantises activations
 * dynamically unless {@code int8-batching = shared} (see {@link NemotronConfig.Int8Batching}).
 */
final class ChunkModels implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ChunkModels.class);

    private final Map<Acceleration, ModelDirectory.Export> exports;
    private final Map<Acceleration, ChunkModel> loaded = Collections.synchronizedMap(new EnumMap<>(Acceleration.class));
    private final Map<Acceleration, Object> loadLocks = new EnumMap<>(Acceleration.class);
    private final OrtSessionFactory sessions;
    private final int vocabWidth;
    private final int workers;
    private final int maxBatch;
    private final NemotronConfig.Int8Batching int8Batching;
    private final NemotronConfig.Int8Weights int8Weights;
    private final EngineStats stats;
    private Boolean signedWeights;
    private boolean closed;

    ChunkModels(Path modelDir, Map<Integer, ModelDirectory.Export> byChunk, OrtSessionFactory sessions, int workers,
                int maxBatch, NemotronConfig.Int8Batching int8Batching, NemotronConfig.Int8Weights int8Weights,
                EngineStats stats) {
        this.exports = new EnumMap<>(Acceleration.class);
        for (Map.Entry<Integer, ModelDirectory.Export> e : byChunk.entrySet()) {
            Acceleration a = Acceleration.forChunkMillis(e.getKey());
            if (a == null) {
                log.debug("{}: {} ms chunks match no acceleration mode; not used", e.getValue().dir(), e.getKey());
            } else {
                exports.put(a, e.getValue());
            }
        }
        if (exports.isEmpty()) {
            throw new ModelContractException(modelDir + ": no export with a chunk size of an acceleration mode (1120, "
                    + "560, 320 or 80 ms); found " + byChunk.keySet() + " ms");
        }
        for (Acceleration a : Acceleration.values()) loadLocks.put(a, new Object());
        this.sessions = sessions;
        this.workers = workers;
        this.maxBatch = maxBatch;
        this.int8Batching = int8Batching;
        this.int8Weights = int8Weights;
        this.stats = stats;
        this.vocabWidth = any().contract().vocabSize() + 1;
        logDynamicQuantization();
    }

    /** Once per engine: which exports batch how, and why. */
    private void logDynamicQuantization() {
        Set<String> files = new TreeSet<>();
        List<Integer> chunks = new ArrayList<>();
        for (ModelDirectory.Export e : exports.values()) {
            files.addAll(e.dynamicQuantization());
            if (e.dynamicallyQuantized()) chunks.add(e.contract().chunkMs());
        }
        if (files.isEmpty()) return;
        String why = String.join(", ", files) + " of the " + chunks + " ms exports quantise activations dynamically "
                + "(one int8 scale per input tensor, computed over the whole batch), so a stream's results in a batch "
                + "would depend on its batch-mates";
        if (int8Batching == NemotronConfig.Int8Batching.EXACT) {
            log.info("{}: they are rewritten at load to quantise each stream's row on its own, so a batch gives each "
                    + "stream exactly its results alone (asr.engine.nemotron.int8-batching = exact)", why);
        } else {
            log.warn("{}: batched anyway (asr.engine.nemotron.int8-batching = shared): results may differ slightly "
                    + "from a stream run alone", why);
        }
    }

    /**
     * Whether dynamically quantised exports get int8 weights ({@link SignedWeights}); with {@code auto}, decided once
     * by {@link SignedInt8Probe} on the CPU provider and logged.
     */
    private synchronized boolean signedWeights() {
        if (signedWeights == null) {
            signedWeights = switch (int8Weights) {
                case SIGNED -> true;
                case AS_EXPORTED -> false;
                case AUTO -> sessions.provider().equals(OrtSessionFactory.CPU) && SignedInt8Probe.exact(sessions);
            };
            if (int8Weights == NemotronConfig.Int8Weights.AUTO) {
                log.info(signedWeights ? "int8 exports: weights stored as int8 at load (the same products; this CPU's "
                        + "ONNX Runtime multiplies uint8 by int8 exactly, on its faster dot-product kernels; "
                        + "asr.engine.nemotron.int8-weights = auto)"
                        : "int8 exports: weights kept as written ({}; asr.engine.nemotron.int8-weights = auto)",
                        sessions.provider().equals(OrtSessionFactory.CPU) ? "this CPU's ONNX Runtime does not multiply "
                                + "uint8 by int8 exactly" : "provider " + sessions.provider());
            }
        }
        return signedWeights;
    }

    ModelDirectory.Export any() {
        return exports.values().iterator().next();
    }

    Set<Acceleration> available() {
        return EnumSet.copyOf(exports.keySet());
    }

    boolean has(Acceleration a) {
        return exports.containsKey(a);
    }

    /**
     * The largest batch for a mode's export (loads it): max-batch, or one for a dynamically quantised export under
     * {@code exact} whose quantisation could not all be rewritten per row.
     */
    int maxBatch(Acceleration a) {
        return get(a).maxBatch();
    }

    /** The sessions of a mode, loaded on first use. */
    ChunkModel get(Acceleration a) {
        synchronized (loadLocks.get(a)) {
            ChunkModel m = loaded.get(a);
            if (m == null) {
                long t0 = System.nanoTime();
                ModelDirectory.Export e = exports.get(a);
                m = ChunkModel.load(e, vocabWidth, sessions, workers, maxBatch, int8Batching,
                        e.dynamicallyQuantized() && signedWeights(), stats);
                synchronized (loaded) {
                    if (closed) {
                        m.close();
                        throw new IllegalStateException("nemotron engine is closed");
                    }
                    loaded.put(a, m);
                }
                log.info("loaded {} ({}, batches of up to {}) in {} ms", e.dir(), m.contract.describe(), m.maxBatch(),
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
                if (!m.decoderRowByRow().isEmpty()) {
                    log.info("{}: the decoder's dynamic quantisation cannot be rewritten per stream ({}); its runs go one "
                            + "stream at a time while encoder and joiner batch", e.dir(), m.decoderRowByRow());
                }
                if (!m.sharedQuantization().isEmpty()) {
                    log.warn("{}: dynamic quantisation that cannot be rewritten per stream ({}), so its streams run one "
                            + "per model call (asr.engine.nemotron.int8-batching = exact)", e.dir(), m.sharedQuantization());
                }
            }
            return m;
        }
    }

    /** The modes whose sessions are loaded. */
    Set<Acceleration> loaded() {
        synchronized (loaded) {
            return loaded.isEmpty() ? EnumSet.noneOf(Acceleration.class) : EnumSet.copyOf(loaded.keySet());
        }
    }

    /** ONNX Runtime sessions these models hold. */
    int openSessions() {
        synchronized (loaded) {
            return loaded.size() * ChunkModel.SESSIONS;
        }
    }

    @Override
    public void close() {
        synchronized (loaded) {
            closed = true;
            loaded.values().forEach(ChunkModel::close);
            loaded.clear();
        }
    }
}
