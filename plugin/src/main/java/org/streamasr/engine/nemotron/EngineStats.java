package org.streamasr.engine.nemotron;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Where an engine's time goes, summed over all workers: each stage of a batch on the host, and the model runs inside
 * ONNX Runtime ({@code OrtSession.run} alone), so that host overhead can be set against model time from one run.
 */
public final class EngineStats {

    /** What was timed. The {@code ORT_*} stages are pure ONNX Runtime time; the rest is host work around them. */
    public enum Stage {
        FEATURES("log-mel features (inbox to window)"),
        VAD("Silero VAD, batched"),
        ENCODER_HOST("encoder: stack windows and caches, tensors, unstack"),
        ORT_ENCODER("encoder: OrtSession.run"),
        SEARCH_HOST("greedy search: gather rows, argmax, stack states"),
        ORT_JOINER("joiner: OrtSession.run"),
        ORT_DECODER("decoder: OrtSession.run"),
        RESULTS("hypothesis, endpoints, partials/finals queued"),
        BATCH("whole batch on a worker");

        private final String what;

        Stage(String what) {
            this.what = what;
        }

        public String what() {
            return what;
        }
    }

    private final LongAdder bytesToDevice = new LongAdder();
    private final LongAdder bytesToHost = new LongAdder();
    private final LongAdder stateBytes = new LongAdder();
    private final Map<Stage, LongAdder> nanos = new EnumMap<>(Stage.class);
    private final Map<Stage, LongAdder> calls = new EnumMap<>(Stage.class);

    public EngineStats() {
        for (Stage s : Stage.values()) {
            nanos.put(s, new LongAdder());
            calls.put(s, new LongAdder());
        }
    }

    void add(Stage stage, long elapsedNanos) {
        nanos.get(stage).add(elapsedNanos);
        calls.get(stage).increment();
    }

    /** Counts the bytes a model run copied (or, on the CPU provider, would copy) between host and device. */
    void transferred(long toDevice, long toHost) {
        bytesToDevice.add(toDevice);
        bytesToHost.add(toHost);
    }

    /**
     * Bytes of model inputs that crossed from host to execution device: every tensor fed from a host buffer (on the
     * host path the encoder caches too; with {@code device-state = device} they stay on the device). On the CPU
     * execution provider nothing really moves: these are the bytes the same runs copy on a GPU.
     */
    public long bytesToDevice() {
        return bytesToDevice.sum();
    }

    /** Counts bytes of stream state (encoder caches, decoder LSTM states) a run read, each way, copied or not. */
    void stateBytes(long bytes) {
        stateBytes.add(bytes);
    }

    /**
     * Bytes of stream state (encoder caches and decoder LSTM states) the model runs read and wrote, each way: copied
     * between host and device on the host path (part of {@link #bytesToDevice()} and {@link #bytesToHost()}), kept on
     * the device with {@code device-state = device} (not part of them).
     */
    public long stateBytes() {
        return stateBytes.sum();
    }

    /** Bytes of model outputs that crossed from execution device to host (see {@link #bytesToDevice()}). */
    public long bytesToHost() {
        return bytesToHost.sum();
    }

    public long nanos(Stage stage) {
        return nanos.get(stage).sum();
    }

    public long calls(Stage stage) {
        return calls.get(stage).sum();
    }

    public void reset() {
        nanos.values().forEach(LongAdder::reset);
        calls.values().forEach(LongAdder::reset);
        bytesToDevice.reset();
        bytesToHost.reset();
        stateBytes.reset();
    }
}
