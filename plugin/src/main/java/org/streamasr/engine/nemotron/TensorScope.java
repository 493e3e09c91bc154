package org.streamasr.engine.nemotron;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The tensors of one model run, all closed together: {@code try (TensorScope t = ...; Result r = session.run(...))}.
 * Tensors wrap slices of Java-owned direct buffers (no copy), for inputs and for pinned outputs alike, so nothing
 * of a run's result needs to outlive the {@code Result}. Counts the tensors open in the process for leak checks.
 */
final class TensorScope implements AutoCloseable {
    private static final AtomicInteger OPEN = new AtomicInteger();

    private final OrtEnvironment env;
    private final List<OnnxTensor> tensors = new ArrayList<>(12);

    TensorScope(OrtEnvironment env) {
        this.env = env;
    }

    /** Tensors created by the engine and not yet closed. */
    static int open() {
        return OPEN.get();
    }

    /** A tensor over the first {@code product(shape)} elements of {@code buffer}. */
    OnnxTensor floats(FloatBuffer buffer, long... shape) throws OrtException {
        return track(OnnxTensor.createTensor(env, buffer.slice(0, elements(shape)), shape));
    }

    OnnxTensor longs(LongBuffer buffer, long... shape) throws OrtException {
        return track(OnnxTensor.createTensor(env, buffer.slice(0, elements(shape)), shape));
    }

    OnnxTensor ints(IntBuffer buffer, long... shape) throws OrtException {
        return track(OnnxTensor.createTensor(env, buffer.slice(0, elements(shape)), shape));
    }

    private OnnxTensor track(OnnxTensor t) {
        OPEN.incrementAndGet();
        tensors.add(t);
        return t;
    }

    private static int elements(long[] shape) {
        long n = 1;
        for (long d : shape) n *= d;
        return Math.toIntExact(n);
    }

    @Override
    public void close() {
        for (OnnxTensor t : tensors) {
            t.close();
            OPEN.decrementAndGet();
        }
        tensors.clear();
    }
}
