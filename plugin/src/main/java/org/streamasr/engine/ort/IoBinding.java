package org.streamasr.engine.ort;

import ai.onnxruntime.OrtSession;
import com.sun.jna.Pointer;
import java.nio.Buffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.ShortBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * One model run with IO binding ({@code CreateIoBinding}, {@code BindInput}, {@code BindOutput},
 * {@code RunWithBinding}): inputs and outputs may be {@link DeviceTensor}s, which stay where they are, or host tensors
 * over Java direct buffers, which ONNX Runtime copies to and from the device as the run needs (on the CPU execution
 * provider it reads and writes them in place). Counts the bytes of the host tensors each way, the only bytes that
 * cross between host and device. Closes its host tensors and the binding.
 */
public final class IoBinding implements AutoCloseable {
    private static volatile Pointer cpuInfo;

    private final OrtCApi api;
    private final Pointer session;
    private final Pointer binding;
    private final List<Pointer> hostValues = new ArrayList<>(8);
    private long toDevice;
    private long toHost;

    public IoBinding(OrtCApi api, OrtSession session) {
        this.api = api;
        this.session = api.session(session);
        this.binding = api.createIoBinding(this.session);
    }

    private Pointer cpu() {
        Pointer p = cpuInfo;
        if (p == null) {
            synchronized (IoBinding.class) {
                // process-wide, never released: one small struct
                if (cpuInfo == null) cpuInfo = api.createCpuMemoryInfo();
                p = cpuInfo;
            }
        }
        return p;
    }

    public IoBinding input(String name, DeviceTensor t) {
        api.bindInput(binding, name, t.value());
        return this;
    }

    public IoBinding output(String name, DeviceTensor t) {
        api.bindOutput(binding, name, t.value());
        return this;
    }

    /** A host input over the first {@code product(shape)} elements of a direct buffer (float, half, int or long). */
    public IoBinding hostInput(String name, Buffer buffer, int elementType, long... shape) {
        Pointer v = host(buffer, elementType, shape);
        api.bindInput(binding, name, v);
        toDevice += DeviceTensor.bytes(shape, elementType);
        return this;
    }

    /** A host output into the first {@code product(shape)} elements of a direct buffer. */
    public IoBinding hostOutput(String name, Buffer buffer, int elementType, long... shape) {
        Pointer v = host(buffer, elementType, shape);
        api.bindOutput(binding, name, v);
        toHost += DeviceTensor.bytes(shape, elementType);
        return this;
    }

    private Pointer host(Buffer buffer, int elementType, long[] shape) {
        long bytes = DeviceTensor.bytes(shape, elementType);
        long capacity = (long) buffer.capacity() * elementBytes(buffer);
        if (bytes > capacity) throw new IllegalArgumentException("tensor of " + bytes + " bytes over a buffer of " + capacity);
        Pointer v = api.createTensorOver(cpu(), OrtCApi.address(buffer), bytes, shape, elementType);
        hostValues.add(v);
        return v;
    }

    private static int elementBytes(Buffer b) {
        if (b instanceof FloatBuffer || b instanceof IntBuffer) return 4;
        if (b instanceof LongBuffer) return 8;
        if (b instanceof ShortBuffer) return 2;
        throw new IllegalArgumentException("buffer type " + b.getClass());
    }

    /** Runs the session on the bound values; {@code what} names the run in an error. */
    public void run(String what) {
        api.runWithBinding(session, binding, what);
    }

    /** Bytes of the bound host inputs (copied to the device by a run). */
    public long bytesToDevice() {
        return toDevice;
    }

    /** Bytes of the bound host outputs (copied to the host by a run). */
    public long bytesToHost() {
        return toHost;
    }

    @Override
    public void close() {
        api.clearBindings(binding);
        api.releaseIoBinding(binding);
        for (Pointer v : hostValues) api.releaseValue(v);
        hostValues.clear();
    }
}
