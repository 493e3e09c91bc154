package org.streamasr.engine.vad;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.streamasr.engine.EngineConfig;
import org.streamasr.engine.ModelContractException;
import org.streamasr.engine.RecognitionException;

/**
 * Silero VAD v6 on ONNX Runtime, shared by all streams (thread-safe; {@link OrtSession#run} is, and nothing else here
 * is mutable). The per-stream state lives in {@link VadStream}.
 *
 * <p>Contract (read from the file at load and checked): inputs {@code input} float [B, N], {@code state} float
 * [2, B, 128], {@code sr} int64 scalar; outputs {@code output} float [B, 1] (speech probability), {@code stateN}
 * float [2, B, 128]. At 16 kHz the model takes 512 new samples per call preceded by the last 64 samples of the
 * previous window (zeros at the start), so N = 576 and one probability covers 32 ms; this is what silero-vad's own
 * {@code OnnxWrapper.__call__} does for v5 and v6 (num_samples 512, context_size 64).
 *
 * <p>Batching: the windows of many streams go through one run, their states stacked on dimension 1 and unstacked
 * afterwards. A stream contributes at most one window per run, since its next window needs the state this one
 * produces.
 */
public final class SileroVadModel implements AutoCloseable {
    public static final int SAMPLE_RATE = 16_000;
    public static final int WINDOW = 512;
    public static final int CONTEXT = 64;
    public static final int INPUT = WINDOW + CONTEXT;
    public static final int HIDDEN = 128;
    static final int STATE_SIZE = 2 * HIDDEN;
    /** Milliseconds of audio per probability. */
    public static final int WINDOW_MILLIS = WINDOW * 1000 / SAMPLE_RATE;
    /** Where the setup puts the model, under the installation's root (ASR_HOME). */
    public static final String INSTALLED_PATH = "models/silero-vad/silero_vad.onnx";
    /** The setup step that downloads and checks it. */
    public static final String FETCH_COMMAND = "scripts/fetch-vad-model";

    private static final AtomicInteger OPEN = new AtomicInteger();

    private final OrtEnvironment env;
    private final OrtSession session;
    private final Path file;
    private final AtomicInteger closed = new AtomicInteger();

    private SileroVadModel(OrtEnvironment env, OrtSession session, Path file) {
        this.env = env;
        this.session = session;
        this.file = file;
    }

    /**
     * The start-up warning when the VAD model is not where the setup puts it and nobody said to run without it: the
     * engine then ends utterances on the decoder's blanks alone and cannot skip silent streams.
     */
    public static String notInstalledWarning(Path searched) {
        return "no Silero VAD model at " + searched + " (" + FETCH_COMMAND + " fetches it there): the nemotron engine "
                + "runs without a VAD, so utterances end on the decoder's blanks alone and silent streams are not skipped";
    }

    /** Loads the model named by {@code asr.engine.vad-model}; empty when that setting is unset (VAD disabled). */
    public static Optional<SileroVadModel> fromOptions(EngineConfig options) {
        return options.vadModel() == null ? Optional.empty() : Optional.of(load(options.vadModel()));
    }

    /**
     * Loads and checks a Silero VAD v5/v6 ONNX file.
     *
     * @throws ModelContractException when the file is missing or does not have the inputs and outputs above
     */
    public static SileroVadModel load(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new ModelContractException(file + ": Silero VAD model not found (asr.engine.vad-model); "
                    + "scripts/fetch-vad-model downloads it to models/silero-vad/silero_vad.onnx");
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        OrtSession session = null;
        try (OrtSession.SessionOptions opts = new OrtSession.SessionOptions()) {
            // a 32 ms window is tiny: parallelism comes from batching streams, not from threads inside one run
            opts.setIntraOpNumThreads(1);
            opts.setInterOpNumThreads(1);
            session = env.createSession(file.toString(), opts);
            checkContract(session, file);
            OPEN.incrementAndGet();
            return new SileroVadModel(env, session, file);
        } catch (OrtException e) {
            closeQuietly(session);
            throw new ModelContractException(file + ": cannot load as an ONNX model: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeQuietly(session);
            throw e;
        }
    }

    private static void checkContract(OrtSession session, Path file) throws OrtException {
        Map<String, NodeInfo> in = session.getInputInfo();
        Map<String, NodeInfo> out = session.getOutputInfo();
        expect(file, "input", in, ai.onnxruntime.OnnxJavaType.FLOAT, 2);
        expect(file, "state", in, ai.onnxruntime.OnnxJavaType.FLOAT, 3);
        expect(file, "sr", in, ai.onnxruntime.OnnxJavaType.INT64, 0);
        expect(file, "output", out, ai.onnxruntime.OnnxJavaType.FLOAT, 2);
        expect(file, "stateN", out, ai.onnxruntime.OnnxJavaType.FLOAT, 3);
        long[] state = ((TensorInfo) in.get("state").getInfo()).getShape();
        if (state[0] != 2 || state[2] != HIDDEN) {
            throw new ModelContractException(file + ": input 'state' has shape " + java.util.Arrays.toString(state)
                    + ", expected [2, B, " + HIDDEN + "] (Silero VAD v5/v6)");
        }
    }

    private static void expect(Path file, String name, Map<String, NodeInfo> nodes, ai.onnxruntime.OnnxJavaType type, int rank) {
        NodeInfo node = nodes.get(name);
        if (node == null || !(node.getInfo() instanceof TensorInfo info)) {
            throw new ModelContractException(file + ": no tensor '" + name + "' (has " + nodes.keySet()
                    + "); expected Silero VAD v5/v6");
        }
        if (info.type != type || info.getShape().length != rank) {
            throw new ModelContractException(file + ": '" + name + "' is " + info.type + " of rank "
                    + info.getShape().length + ", expected " + type + " of rank " + rank);
        }
    }

    public VadStream newStream() {
        return new VadStream();
    }

    /**
     * Evaluates one ready window of each stream in {@code streams} that has one, in a single run.
     *
     * @return how many streams advanced by a window
     */
    public int process(List<VadStream> streams) throws RecognitionException {
        int batch = 0;
        for (VadStream s : streams) if (s.windowsReady() > 0) batch++;
        if (batch == 0) return 0;
        VadStream[] rows = new VadStream[batch];
        int r = 0;
        for (VadStream s : streams) if (s.windowsReady() > 0) rows[r++] = s;
        float[] input = new float[batch * INPUT];
        float[] state = new float[batch * STATE_SIZE];
        for (int i = 0; i < batch; i++) {
            rows[i].stackInput(input, i);
            rows[i].stackState(state, i, batch);
        }
        float[] probabilities = new float[batch];
        float[] stateN = new float[batch * STATE_SIZE];
        run(input, state, batch, probabilities, stateN);
        for (int i = 0; i < batch; i++) rows[i].commit(probabilities[i], stateN, i, batch);
        return batch;
    }

    /** Evaluates every ready window of one stream (in order); returns how many. */
    public int processAll(VadStream stream) throws RecognitionException {
        List<VadStream> one = List.of(stream);
        int n = 0;
        while (stream.windowsReady() > 0) n += process(one);
        return n;
    }

    private void run(float[] input, float[] state, int batch, float[] probabilities, float[] stateN)
            throws RecognitionException {
        if (closed.get() != 0) throw new IllegalStateException("VAD model " + file + " is closed");
        try (OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(input), new long[] {batch, INPUT});
             OnnxTensor st = OnnxTensor.createTensor(env, FloatBuffer.wrap(state), new long[] {2, batch, HIDDEN});
             OnnxTensor sr = OnnxTensor.createTensor(env, LongBuffer.wrap(new long[] {SAMPLE_RATE}), new long[0]);
             OrtSession.Result result = session.run(Map.of("input", in, "state", st, "sr", sr))) {
            FloatBuffer out = ((OnnxTensor) result.get("output").orElseThrow()).getFloatBuffer();
            FloatBuffer next = ((OnnxTensor) result.get("stateN").orElseThrow()).getFloatBuffer();
            if (out.remaining() != batch || next.remaining() != stateN.length) {
                throw new RecognitionException("VAD model returned " + out.remaining() + " probabilities and "
                        + next.remaining() + " state values for a batch of " + batch);
            }
            out.get(probabilities);
            next.get(stateN);
        } catch (OrtException e) {
            throw new RecognitionException("VAD model run failed: " + e.getMessage(), e);
        }
    }

    public Path file() {
        return file;
    }

    /** Sessions open in this process (for leak checks). */
    public static int openSessions() {
        return OPEN.get();
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(0, 1)) return;
        OPEN.decrementAndGet();
        closeQuietly(session);
    }

    private static void closeQuietly(OrtSession session) {
        if (session == null) return;
        try {
            session.close();
        } catch (OrtException ignored) {
            // nothing more to release
        }
    }
}
