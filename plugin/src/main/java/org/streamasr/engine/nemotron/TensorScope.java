package org.streamasr.engine.nemotron;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.platform.Fp16Conversions;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.ShortBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The tensors of one model run, all closed together: {@code try (TensorScope t = ...; Result r = session.run(...))}.
 * Tensors wrap slices of Java-owned direct buffers (no copy), for inputs and for pinned outputs alike, so nothing
 * of a run's result needs to outlive the {@code Result}. Counts the tensors open in the process for leak checks.
 *
 * <p>A float16 port (a full fp16 export) is bound to a float16 staging buffer instead: an input is converted into it
 * before the run, an output converted back into its float buffer by {@link #copyBack()} after the run. The float
 * buffers, caches included, stay float32 in Java; a value that went through float16 once converts back exactly.
 */
final class TensorScope implements AutoCloseable {
    private static final AtomicInteger OPEN = new AtomicInteger();

    private final OrtEnvironment env;
    private final List<OnnxTensor> tensors = new ArrayList<>(12);
    private final List<Runnable> copyBacks = new ArrayList<>(4);

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

    /** An input over {@code buffer}, or over its float16 conversion in {@code half} when the port is float16. */
    OnnxTensor floatsIn(FloatBuffer buffer, ShortBuffer half, long... shape) throws OrtException {
        if (half == null) return floats(buffer, shape);
        int n = elements(shape);
        for (int i = 0; i < n; i++) half.put(i, Fp16Conversions.floatToFp16(buffer.get(i)));
        return track(OnnxTensor.createTensor(env, half.slice(0, n), shape, OnnxJavaType.FLOAT16));
    }

    /** A pinned output into {@code buffer}, or into {@code half} (float16 port) converted by {@link #copyBack()}. */
    OnnxTensor floatsOut(FloatBuffer buffer, ShortBuffer half, long... shape) throws OrtException {
        if (half == null) return floats(buffer, shape);
        int n = elements(shape);
        copyBacks.add(() -> {
            for (int i = 0; i < n; i++) buffer.put(i, Fp16Conversions.fp16ToFloat(half.get(i)));
        });
        return track(OnnxTensor.createTensor(env, half.slice(0, n), shape, OnnxJavaType.FLOAT16));
    }

    /** After the run: float16 outputs into their float buffers. */
    void copyBack() {
        for (Runnable r : copyBacks) r.run();
        copyBacks.clear();
    }

    OnnxTensor longs(LongBuffer buffer, long... shape) throws OrtException {
        return track(OnnxTensor.createTensor(env, buffer.slice(0, elements(shape)), shape));
    }

    OnnxTensor ints(IntBuffer buffer, long... shape) throws OrtException {
        return track(OnnxTensor.createTensor(env, buffer.slice(0, elements(shape)), shape));
    }

    /** Bytes of the given tensors' data (what a run copies for them between host and device). */
    long bytes(java.util.Collection<OnnxTensor> ts) {
        long b = 0;
        for (OnnxTensor t : ts) b += t.getInfo().getNumElements() * t.getInfo().type.size;
        return b;
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
