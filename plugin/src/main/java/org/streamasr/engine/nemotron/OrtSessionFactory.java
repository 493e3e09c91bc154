package org.streamasr.engine.nemotron;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import org.streamasr.engine.EngineConfig;
import org.streamasr.engine.ModelContractException;

/**
 * ONNX Runtime session options from the engine options: execution provider ({@code cpu}, or {@code cuda} with the
 * build's {@code -Pcuda} profile), intra-op threads, and {@code nemotron.ort.*} entries of {@code extra}:
 * {@code nemotron.ort.inter-op-threads}, {@code nemotron.ort.optimization-level} (none, basic, extended, all),
 * {@code nemotron.ort.execution-mode} (sequential, parallel), {@code nemotron.ort.cuda-device} and {@code nemotron.ort.config.KEY} for any
 * session config entry. Sessions are always created from the file path, so ONNX Runtime finds an fp32 encoder's
 * external {@code .data} file beside it.
 *
 * <p>Also where a stream's encoder caches live between chunks, {@code nemotron.device-state}: {@code host} (Java
 * buffers, fed and fetched by every run), {@code device} (resident on the execution device, batched there:
 * {@link DeviceEncoder}) or {@code auto} (device on CUDA, host on CPU, where both are the same memory and the host path
 * is the faster one).
 */
final class OrtSessionFactory {
    static final String CUDA = "cuda";
    static final String CPU = "cpu";
    /**
     * ONNX Runtime's intra-op threads spin between the parallel sections of a run by default. On CPU we turn that off
     * unless {@code nemotron.ort.config.session.intra_op.allow_spinning} says otherwise: the worker's host work
     * (features, VAD, search, stacking caches) runs between the model runs and competes with spinning threads for the
     * same cores, and on cores shared with other processes spinning burns the time slices the run itself needs
     * ({@code bench-peer}, 8 streams on 2 loaded cores: twice the throughput at half the CPU time without it).
     */
    static final String SPINNING = "session.intra_op.allow_spinning";

    private final OrtEnvironment env;
    private final String provider;
    private final int intraOpThreads;
    private final Map<String, String> extra;
    private final boolean stateOnDevice;

    OrtSessionFactory(OrtEnvironment env, EngineConfig options) {
        this.env = env;
        this.provider = options.provider() == null ? CPU : options.provider().trim().toLowerCase(Locale.ROOT);
        this.intraOpThreads = options.intraOpThreads();
        this.extra = options.extra();
        validate();
        String state = extra.getOrDefault("nemotron.device-state", "auto").trim().toLowerCase(Locale.ROOT);
        this.stateOnDevice = switch (state) {
            case "auto" -> provider.equals(CUDA);
            case "device" -> true;
            case "host" -> false;
            default -> throw new IllegalArgumentException("asr.engine.nemotron.device-state: '" + state
                    + "' is not auto, host or device");
        };
    }

    /** Whether the encoder caches stay on the execution device between chunks ({@code nemotron.device-state}). */
    boolean stateOnDevice() {
        return stateOnDevice;
    }

    /** The CUDA device the sessions run on ({@code nemotron.ort.cuda-device}, default 0). */
    int cudaDevice() {
        return parseInt("nemotron.ort.cuda-device", extra.getOrDefault("nemotron.ort.cuda-device", "0"));
    }

    private void validate() {
        if (!provider.equals(CPU) && !provider.equals(CUDA)) {
            throw new IllegalArgumentException("asr.engine.provider: '" + provider + "' is not cpu or cuda");
        }
        if (provider.equals(CUDA) && !OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA)) {
            throw new IllegalArgumentException("asr.engine.provider: cuda, but this build's ONNX Runtime has no CUDA "
                    + "execution provider (providers: " + OrtEnvironment.getAvailableProviders()
                    + "); build with it on a machine with CUDA 12 and cuDNN 9: ASR_MAVEN_ARGS=-Pcuda bin/asr ..., "
                    + "or mvn -Pcuda clean package -DskipTests");
        }
        if (intraOpThreads < 0) throw new IllegalArgumentException("asr.engine.intra-op-threads must not be negative");
        for (String key : extra.keySet()) {
            if (!key.startsWith("nemotron.ort.")) continue;
            if (!key.startsWith("nemotron.ort.config.") && !java.util.List.of("nemotron.ort.inter-op-threads", "nemotron.ort.optimization-level",
                    "nemotron.ort.execution-mode", "nemotron.ort.cuda-device").contains(key)) {
                throw new IllegalArgumentException("asr.engine." + key + ": unknown ONNX Runtime option (known: "
                        + "inter-op-threads, optimization-level, execution-mode, cuda-device, config.*)");
            }
        }
        // build once so that bad values fail at start-up, not at the first call
        try (OrtSession.SessionOptions ignored = options()) {
            // nothing to do
        } catch (OrtException e) {
            throw new IllegalArgumentException("asr.engine: ONNX Runtime rejected the session options: " + e.getMessage(), e);
        }
    }

    String provider() {
        return provider;
    }

    OrtEnvironment env() {
        return env;
    }

    OrtSession open(Path file) {
        try (OrtSession.SessionOptions opts = options()) {
            return env.createSession(file.toString(), opts);
        } catch (OrtException e) {
            throw new ModelContractException(file + ": ONNX Runtime cannot load it: " + e.getMessage(), e);
        }
    }

    /** A session of a model given as bytes (a rewritten graph; {@code file} names it in errors). */
    OrtSession open(Path file, byte[] model) {
        try (OrtSession.SessionOptions opts = options()) {
            return env.createSession(model, opts);
        } catch (OrtException e) {
            throw new ModelContractException(file + ": ONNX Runtime cannot load it: " + e.getMessage(), e);
        }
    }

    private OrtSession.SessionOptions options() throws OrtException {
        OrtSession.SessionOptions o = new OrtSession.SessionOptions();
        try {
            if (intraOpThreads > 0) o.setIntraOpNumThreads(intraOpThreads);
            String inter = extra.get("nemotron.ort.inter-op-threads");
            if (inter != null) o.setInterOpNumThreads(parseInt("nemotron.ort.inter-op-threads", inter));
            String level = extra.get("nemotron.ort.optimization-level");
            if (level != null) o.setOptimizationLevel(optLevel(level));
            String mode = extra.get("nemotron.ort.execution-mode");
            if (mode != null) o.setExecutionMode(executionMode(mode));
            for (Map.Entry<String, String> e : extra.entrySet()) {
                if (e.getKey().startsWith("nemotron.ort.config.")) o.addConfigEntry(e.getKey().substring("nemotron.ort.config.".length()), e.getValue());
            }
            if (provider.equals(CPU) && !extra.containsKey("nemotron.ort.config." + SPINNING)) o.addConfigEntry(SPINNING, "0");
            if (provider.equals(CUDA)) o.addCUDA(parseInt("nemotron.ort.cuda-device", extra.getOrDefault("nemotron.ort.cuda-device", "0")));
            return o;
        } catch (OrtException | RuntimeException e) {
            o.close();
            throw e;
        }
    }

    private static int parseInt(String key, String v) {
        try {
            int n = Integer.parseInt(v.trim());
            if (n < 0) throw new NumberFormatException();
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("asr.engine." + key + ": '" + v + "' is not a non-negative integer");
        }
    }

    private static OrtSession.SessionOptions.OptLevel optLevel(String v) {
        return switch (v.trim().toLowerCase(Locale.ROOT)) {
            case "none" -> OrtSession.SessionOptions.OptLevel.NO_OPT;
            case "basic" -> OrtSession.SessionOptions.OptLevel.BASIC_OPT;
            case "extended" -> OrtSession.SessionOptions.OptLevel.EXTENDED_OPT;
            case "all" -> OrtSession.SessionOptions.OptLevel.ALL_OPT;
            default -> throw new IllegalArgumentException("asr.engine.nemotron.ort.optimization-level: '" + v
                    + "' is not none, basic, extended or all");
        };
    }

    private static OrtSession.SessionOptions.ExecutionMode executionMode(String v) {
        return switch (v.trim().toLowerCase(Locale.ROOT)) {
            case "sequential" -> OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL;
            case "parallel" -> OrtSession.SessionOptions.ExecutionMode.PARALLEL;
            default -> throw new IllegalArgumentException("asr.engine.nemotron.ort.execution-mode: '" + v
                    + "' is not sequential or parallel");
        };
    }
}
