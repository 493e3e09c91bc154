package org.streamasr.engine.nemotron;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.nio.ShortBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.streamasr.engine.ModelContractException;
import org.streamasr.engine.RecognitionException;

/**
 * One chunk size's export, loaded: encoder, decoder and joiner sessions checked against the contract, and the decoder
 * state after priming with the blank. Shared by all streams of that chunk size and immutable; the runs read inputs
 * from and write outputs into a worker's {@link Workspace}. Float ports that ONNX Runtime reports as float16 (a full
 * fp16 export; a {@code keep_io_types} one has float32 ports) are converted at the tensor boundary
 * ({@link TensorScope#floatsIn}).
 */
final class ChunkModel implements AutoCloseable {
    /** Sessions per loaded model: encoder, decoder, joiner. */
    static final int SESSIONS = 3;
    private static final AtomicInteger OPEN_SESSIONS = new AtomicInteger();

    final EncoderContract contract;
    final int vocabWidth;
    final int blank;
    private final OrtSessionFactory sessions;
    private final OrtSession encoder;
    private final OrtSession decoder;
    private final OrtSession joiner;
    private final String[] decoderInputs;
    private final String[] decoderOutputs;
    private final String joinerOutput;
    /** Session-qualified names ("encoder/outputs") of the float16 inputs and outputs. */
    private final Set<String> halfPorts;
    private final float[] primedOut;
    private final float[] primedH;
    private final float[] primedC;
    private final Workspace[] workspaces;
    private final int maxBatch;
    /** Dynamic quantisation that still spans the batch (then {@link #maxBatch} is 1); empty when none. */
    private final List<String> sharedQuantization;
    /** The decoder's batch runs go one row at a time (its dynamic quantisation could not be rewritten). */
    private boolean decoderRowByRow;
    private final List<String> decoderRowByRowWhy;
    final EngineStats stats;
    /** The encoder with caches resident on the execution device; null on the host path. */
    private final DeviceEncoder device;
    /** The decoder with LSTM states resident on the execution device; null on the host path. */
    private final DeviceDecoder deviceDecoder;

    private ChunkModel(ModelDirectory.Export export, int vocabWidth, OrtSessionFactory sessions, int workers, int maxBatch,
                       NemotronConfig.Int8Batching int8Batching, boolean signedWeights, EngineStats stats,
                       List<OrtSession> opened)
            throws OrtException, RecognitionException {
        this.stats = stats;
        this.contract = export.contract();
        this.vocabWidth = vocabWidth;
        this.blank = vocabWidth - 1;
        this.sessions = sessions;
        // a graph that never sees more than one stream per run needs no per-row rewrite (and runs faster fused)
        boolean perRow = export.dynamicallyQuantized() && int8Batching == NemotronConfig.Int8Batching.EXACT && maxBatch > 1;
        List<String> shared = new ArrayList<>();
        List<String> decoderShared = new ArrayList<>();
        Rewrites rewrites = new Rewrites(perRow, signedWeights);
        this.encoder = open(sessions, export.encoder(), rewrites, shared, opened);
        checkSession(encoder, export.encoderSummary());
        this.decoder = open(sessions, export.decoder(), rewrites, decoderShared, opened);
        this.joiner = open(sessions, export.joiner(), rewrites, shared, opened);
        this.sharedQuantization = List.copyOf(shared);
        // a decoder left quantised per tensor (DynamicQuantizeLSTM) runs row by row; encoder and joiner still batch
        this.decoderRowByRow = !decoderShared.isEmpty();
        this.decoderRowByRowWhy = List.copyOf(decoderShared);
        this.decoderInputs = decoder.getInputNames().toArray(new String[0]);
        this.decoderOutputs = decoder.getOutputNames().toArray(new String[0]);
        this.joinerOutput = "outputs";
        this.halfPorts = Set.copyOf(halfPorts(Map.of("encoder", encoder, "decoder", decoder, "joiner", joiner)));
        this.workspaces = new Workspace[workers];
        Workspace one = new Workspace(contract, vocabWidth, 1);
        int state = contract.predLayers() * contract.predHidden();
        one.targets.put(0, blank);
        one.targetLength.put(0, 1);
        runDecoder(one, 1);
        primedOut = new float[contract.predHidden()];
        primedH = new float[state];
        primedC = new float[state];
        one.decoderOut.get(0, primedOut);
        one.stateHOut.get(0, primedH);
        one.stateCOut.get(0, primedC);
        this.maxBatch = perRow && !shared.isEmpty() ? 1 : maxBatch;
        DeviceEncoder onDevice = sessions.stateOnDevice() ? new DeviceEncoder(encoder, contract, halfPorts, sessions,
                export.encoder(), this.maxBatch, stats) : null;
        try {
            this.deviceDecoder = onDevice == null ? null : new DeviceDecoder(decoder, decoderInputs, decoderOutputs,
                    contract, halfPorts, sessions, export.decoder(), this.maxBatch, onDevice.memory(), primedH, primedC, stats);
        } catch (RuntimeException e) {
            onDevice.close();
            throw e;
        }
        this.device = onDevice;
    }

    /** Loads one export whose files {@link ModelDirectory} has checked. */
    static ChunkModel load(ModelDirectory.Export export, int vocabWidth, OrtSessionFactory sessions, int workers, int maxBatch,
                           NemotronConfig.Int8Batching int8Batching, boolean signedWeights, EngineStats stats) {
        List<OrtSession> opened = new ArrayList<>();
        try {
            return new ChunkModel(export, vocabWidth, sessions, workers, maxBatch, int8Batching, signedWeights, stats,
                    opened);
        } catch (OrtException | RecognitionException e) {
            closeAll(opened);
            throw new ModelContractException(export.dir() + ": the decoder cannot be primed with the blank: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeAll(opened);
            throw e;
        }
    }

    private static void closeAll(List<OrtSession> sessions) {
        for (OrtSession s : sessions) {
            closeQuietly(s);
            OPEN_SESSIONS.decrementAndGet();
        }
    }

    /**
     * What a dynamically quantised file gets at load: {@code perRow}, its activations quantised per batch row
     * ({@link RowQuantization}); {@code signedWeights}, its weights stored as int8 ({@link SignedWeights}).
     */
    private record Rewrites(boolean perRow, boolean signedWeights) {
    }

    /**
     * Opens one file, a dynamically quantised one after its {@link Rewrites}; what stays quantised per tensor under
     * {@code perRow} is added to {@code shared}.
     */
    private static OrtSession open(OrtSessionFactory sessions, Path file, Rewrites rewrites, List<String> shared,
                                   List<OrtSession> opened) {
        OrtSession s;
        OnnxFileSummary summary = OnnxFileSummary.read(file);
        boolean signed = rewrites.signedWeights() && summary.externalData().isEmpty();
        if (!summary.dynamicQuantization().isEmpty() && (rewrites.perRow() || signed)) {
            ai.onnx.proto.OnnxMl.ModelProto model = readModel(file);
            int changed = 0;
            if (rewrites.perRow()) {
                RowQuantization.Result r = RowQuantization.rewrite(model);
                for (String left : r.left()) shared.add(file.getFileName() + ": " + left);
                model = r.model();
                changed += r.rewritten();
            }
            if (signed) {
                SignedWeights.Result r = SignedWeights.rewrite(model);
                model = r.model();
                changed += r.converted();
            }
            s = changed == 0 ? sessions.open(file) : sessions.open(file, model.toByteArray());
        } else {
            s = sessions.open(file);
        }
        opened.add(s);
        OPEN_SESSIONS.incrementAndGet();
        return s;
    }

    private static ai.onnx.proto.OnnxMl.ModelProto readModel(Path file) {
        if (!OnnxFileSummary.read(file).externalData().isEmpty()) {
            throw new ModelContractException(file + ": a dynamically quantised file with external data cannot be "
                    + "rewritten to quantise per stream; set asr.engine.nemotron.int8-batching = shared");
        }
        try (java.io.InputStream in = java.nio.file.Files.newInputStream(file)) {
            com.google.protobuf.CodedInputStream cis = com.google.protobuf.CodedInputStream.newInstance(in);
            cis.setSizeLimit(Integer.MAX_VALUE);
            return ai.onnx.proto.OnnxMl.ModelProto.parseFrom(cis);
        } catch (java.io.IOException e) {
            throw new ModelContractException(file + ": cannot read it: " + e.getMessage(), e);
        }
    }

    /** ONNX Runtime's view of the encoder must match what the file scan saw (names and element types). */
    private static void checkSession(OrtSession session, OnnxFileSummary summary) throws OrtException {
        Map<String, NodeInfo> inputs = session.getInputInfo();
        for (OnnxFileSummary.Port p : summary.inputs()) {
            NodeInfo n = inputs.get(p.name());
            if (n == null || !(n.getInfo() instanceof TensorInfo)) {
                throw new ModelContractException(summary.file() + ": ONNX Runtime does not see input '" + p.name() + "'");
            }
        }
    }

    /** Dynamic quantisation left per tensor after the per-row rewrite, one line each (why a batch is one stream). */
    List<String> sharedQuantization() {
        return sharedQuantization;
    }

    /** The most streams one run takes (the workspaces' size). */
    int maxBatch() {
        return maxBatch;
    }

    private static Set<String> halfPorts(Map<String, OrtSession> sessions) throws OrtException {
        Set<String> half = new HashSet<>();
        for (Map.Entry<String, OrtSession> s : sessions.entrySet()) {
            for (Map<String, NodeInfo> ports : List.of(s.getValue().getInputInfo(), s.getValue().getOutputInfo())) {
                for (NodeInfo n : ports.values()) {
                    if (n.getInfo() instanceof TensorInfo t && t.type == OnnxJavaType.FLOAT16) half.add(s.getKey() + "/" + n.getName());
                }
            }
        }
        return half;
    }

    /** The float16 staging buffer for a port, or null when the port is float32. */
    private ShortBuffer half(Workspace w, String session, String port, long... shape) {
        String key = session + "/" + port;
        if (!halfPorts.contains(key)) return null;
        long n = 1;
        for (long d : shape) n *= d;
        return w.half(key, n);
    }

    /** Whether any input or output is float16 (for logs). */
    boolean halfPrecisionIo() {
        return !halfPorts.isEmpty();
    }

    /** Sessions open in this process (for leak checks). */
    static int openSessions() {
        return OPEN_SESSIONS.get();
    }

    /** Worker {@code worker}'s buffers, allocated on its first batch. Only that worker calls this. */
    Workspace workspace(int worker) {
        Workspace w = workspaces[worker];
        if (w == null) {
            w = new Workspace(contract, vocabWidth, maxBatch, device == null);
            workspaces[worker] = w;
        }
        return w;
    }

    void primeDecoder(float[] out, float[] h, float[] c) {
        System.arraycopy(primedOut, 0, out, 0, out.length);
        System.arraycopy(primedH, 0, h, 0, h.length);
        System.arraycopy(primedC, 0, c, 0, c.length);
    }

    /** Encoder over the first {@code n} stacked windows; outputs land in the workspace. Returns the ORT run's nanos. */
    long runEncoder(Workspace w, int n) throws RecognitionException {
        EncoderContract c = contract;
        try (TensorScope t = new TensorScope(sessions.env())) {
            long[] audio = {n, c.featDim(), c.windowSize()};
            long[] channel = {n, c.layers(), c.leftContext(), c.dModel()};
            long[] time = {n, c.timeLayers(), c.timeDim(), c.convContext()};
            long[] outputs = {n, c.dModel(), c.outFrames()};
            Map<String, OnnxTensor> in = new HashMap<>();
            in.put("audio_signal", t.floatsIn(w.audio, half(w, "encoder", "audio_signal", audio), audio));
            in.put("length", t.longs(w.length, n));
            in.put("cache_last_channel", t.floatsIn(w.channelIn, half(w, "encoder", "cache_last_channel", channel), channel));
            in.put("cache_last_time", t.floatsIn(w.timeIn, half(w, "encoder", "cache_last_time", time), time));
            in.put("cache_last_channel_len", t.longs(w.channelLenIn, n));
            if (c.multilingual()) in.put(EncoderContract.PROMPT_INDEX, t.longs(w.prompt, n));
            Map<String, OnnxTensor> out = new HashMap<>();
            out.put("outputs", t.floatsOut(w.encoded, half(w, "encoder", "outputs", outputs), outputs));
            out.put("encoded_lengths", t.longs(w.encodedLen, n));
            out.put("cache_last_channel_next", t.floatsOut(w.channelOut, half(w, "encoder", "cache_last_channel_next", channel), channel));
            out.put("cache_last_time_next", t.floatsOut(w.timeOut, half(w, "encoder", "cache_last_time_next", time), time));
            out.put("cache_last_channel_next_len", t.longs(w.channelLenOut, n));
            long t0 = System.nanoTime();
            try (OrtSession.Result ignored = encoder.run(in, out)) {
                // pinned outputs: the results are in the workspace
            }
            long elapsed = timed(EngineStats.Stage.ORT_ENCODER, t0);
            t.copyBack();
            stats.transferred(t.bytes(in.values()), t.bytes(out.values()));
            stats.stateBytes(n * cacheBytesPerStream());
            return elapsed;
        } catch (OrtException e) {
            throw new RecognitionException(c.chunkMs() + " ms encoder run of a batch of " + n + " failed: " + e.getMessage(), e);
        }
    }

    /**
     * Joiner on {@code n} rows of {@code frames} encoder frames and one decoder output each; logits
     * {@code [n, frames, 1, vocab]} land in the workspace.
     */
    long runJoiner(Workspace w, int n, int frames) throws RecognitionException {
        try (TensorScope t = new TensorScope(sessions.env())) {
            long[] enc = {n, contract.dModel(), frames};
            long[] dec = {n, contract.predHidden(), 1};
            long[] logits = {n, frames, 1, vocabWidth};
            Map<String, OnnxTensor> in = Map.of(
                    "encoder_outputs", t.floatsIn(w.joinEncoder, half(w, "joiner", "encoder_outputs", enc), enc),
                    "decoder_outputs", t.floatsIn(w.joinDecoder, half(w, "joiner", "decoder_outputs", dec), dec));
            Map<String, OnnxTensor> out = Map.of(joinerOutput, t.floatsOut(w.logits, half(w, "joiner", joinerOutput, logits), logits));
            long t0 = System.nanoTime();
            try (OrtSession.Result ignored = joiner.run(in, out)) {
                // logits are in the workspace
            }
            long elapsed = timed(EngineStats.Stage.ORT_JOINER, t0);
            t.copyBack();
            stats.transferred(t.bytes(in.values()), t.bytes(out.values()));
            return elapsed;
        } catch (OrtException e) {
            throw new RecognitionException("joiner run of a batch of " + n + " failed: " + e.getMessage(), e);
        }
    }

    /** Whether the encoder caches stay on the execution device ({@code nemotron.device-state}). */
    boolean stateOnDevice() {
        return device != null;
    }

    /** Bytes of one stream's encoder caches (channel and time, at their ports' precision): what the host path feeds and fetches per chunk. */
    long cacheBytesPerStream() {
        long channel = (long) contract.layers() * contract.leftContext() * contract.dModel();
        long time = (long) contract.timeLayers() * contract.timeDim() * contract.convContext();
        return channel * (halfPorts.contains("encoder/cache_last_channel") ? 2 : 4)
                + time * (halfPorts.contains("encoder/cache_last_time") ? 2 : 4);
    }

    /** The encoder with device-resident caches ({@link DeviceEncoder}); null on the host path. */
    DeviceEncoder deviceEncoder() {
        return device;
    }

    /**
     * Encoder over the first {@code rows.size()} stacked windows with each row's caches resident on the device; the
     * encoder outputs and cache lengths land in the workspace. Returns the ORT nanos.
     */
    long runEncoderOnDevice(Workspace w, java.util.List<StreamCaches> rows) throws RecognitionException {
        try {
            return device.encode(w, rows);
        } catch (org.streamasr.engine.ort.OrtCallException e) {
            throw new RecognitionException(e.getMessage(), e);
        }
    }

    /** Dynamic quantisation of the decoder that made it run row by row (empty: it batches). */
    List<String> decoderRowByRow() {
        return decoderRowByRow ? decoderRowByRowWhy.isEmpty() ? List.of("forced") : decoderRowByRowWhy : List.of();
    }

    /** For tests: run the decoder row by row as for an export whose LSTM is quantised dynamically. */
    void forceDecoderRowByRow() {
        decoderRowByRow = true;
    }

    /**
     * Whether the decoder's LSTM states stay on the device: with {@code device-state = device}, unless the decoder runs
     * row by row (a dynamically quantised LSTM), which keeps them on the host.
     */
    boolean decoderOnDevice() {
        return deviceDecoder != null && !decoderRowByRow;
    }

    /** Decoder on {@code w.targets[0..rows.size())} with each row's states on the device; outputs land in the workspace. */
    long runDecoderOnDevice(Workspace w, java.util.List<StreamCaches> rows) throws RecognitionException {
        try {
            return deviceDecoder.advance(w, rows);
        } catch (org.streamasr.engine.ort.OrtCallException e) {
            throw new RecognitionException(e.getMessage(), e);
        }
    }

    /** Decoder on {@code n} stacked targets and states (batch on axis 1 of the states). */
    long runDecoder(Workspace w, int n) throws RecognitionException {
        return decoderRowByRow && n > 1 ? runDecoderRowByRow(w, n) : runDecoderBatch(w, n);
    }

    /** Each row alone through the decoder, in the worker's one-row scratch workspace, results put back in place. */
    private long runDecoderRowByRow(Workspace w, int n) throws RecognitionException {
        Workspace one = w.rowScratch(contract, vocabWidth);
        int h = contract.predHidden();
        org.streamasr.engine.batch.BatchAxis axis = new org.streamasr.engine.batch.BatchAxis(contract.predLayers(), h);
        long elapsed = 0;
        for (int i = 0; i < n; i++) {
            one.targets.put(0, w.targets.get(i));
            one.targetLength.put(0, w.targetLength.get(i));
            axis.unstack(w.stateH, i, n, one.stateH);
            axis.unstack(w.stateC, i, n, one.stateC);
            elapsed += runDecoderBatch(one, 1);
            w.decoderOut.put(i * h, one.decoderOut, 0, h);
            w.decoderLen.put(i, one.decoderLen.get(0));
            axis.stack(one.stateHOut, w.stateHOut, i, n);
            axis.stack(one.stateCOut, w.stateCOut, i, n);
        }
        return elapsed;
    }

    private long runDecoderBatch(Workspace w, int n) throws RecognitionException {
        int layers = contract.predLayers();
        int hidden = contract.predHidden();
        try (TensorScope t = new TensorScope(sessions.env())) {
            long[] state = {layers, n, hidden};
            long[] outputs = {n, hidden, 1};
            String h = decoderInputs[PredictionContract.DECODER_STATE_H];
            String c = decoderInputs[PredictionContract.DECODER_STATE_C];
            String hOut = decoderOutputs[PredictionContract.DECODER_STATE_H];
            String cOut = decoderOutputs[PredictionContract.DECODER_STATE_C];
            Map<String, OnnxTensor> in = new HashMap<>();
            in.put(decoderInputs[PredictionContract.DECODER_TARGETS], t.ints(w.targets, n, 1));
            in.put(decoderInputs[PredictionContract.DECODER_TARGET_LENGTH], t.ints(w.targetLength, n));
            in.put(h, t.floatsIn(w.stateH, half(w, "decoder", h, state), state));
            in.put(c, t.floatsIn(w.stateC, half(w, "decoder", c, state), state));
            Map<String, OnnxTensor> out = new HashMap<>();
            out.put(decoderOutputs[0], t.floatsOut(w.decoderOut, half(w, "decoder", decoderOutputs[0], outputs), outputs));
            out.put(decoderOutputs[1], t.ints(w.decoderLen, n));
            out.put(hOut, t.floatsOut(w.stateHOut, half(w, "decoder", hOut, state), state));
            out.put(cOut, t.floatsOut(w.stateCOut, half(w, "decoder", cOut, state), state));
            long t0 = System.nanoTime();
            try (OrtSession.Result ignored = decoder.run(in, out)) {
                // outputs are in the workspace
            }
            long elapsed = timed(EngineStats.Stage.ORT_DECODER, t0);
            t.copyBack();
            stats.transferred(t.bytes(in.values()), t.bytes(out.values()));
            stats.stateBytes(t.bytes(List.of(in.get(h), in.get(c))));
            return elapsed;
        } catch (OrtException e) {
            throw new RecognitionException("decoder run of a batch of " + n + " failed: " + e.getMessage(), e);
        }
    }

    private long timed(EngineStats.Stage stage, long t0) {
        long elapsed = System.nanoTime() - t0;
        stats.add(stage, elapsed);
        return elapsed;
    }

    @Override
    public void close() {
        if (deviceDecoder != null) deviceDecoder.close();
        if (device != null) device.close();
        for (OrtSession s : new OrtSession[] {encoder, decoder, joiner}) {
            closeQuietly(s);
            OPEN_SESSIONS.decrementAndGet();
        }
    }

    private static void closeQuietly(OrtSession s) {
        try {
            s.close();
        } catch (OrtException ignored) {
            // the session is gone either way
        }
    }
}
