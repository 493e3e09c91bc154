package org.streamasr.engine.ort;

import com.sun.jna.Pointer;
import java.nio.FloatBuffer;
import java.nio.ShortBuffer;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One {@code OrtValue} tensor in a {@link DeviceMemory}: either owning its memory (allocated there) or a view over the
 * leading rows of another tensor's memory. Closed by its owner, or by the memory when that closes.
 */
public final class DeviceTensor implements AutoCloseable {
    private static final java.util.concurrent.atomic.AtomicInteger OPEN = new java.util.concurrent.atomic.AtomicInteger();

    private final DeviceMemory memory;
    private final Pointer value;
    private final long[] shape;
    private final int elementType;
    private final boolean owner;
    private final Pointer data;
    private final AtomicBoolean closed = new AtomicBoolean();

    DeviceTensor(DeviceMemory memory, Pointer value, long[] shape, int elementType, boolean owner) {
        this.memory = memory;
        this.value = value;
        this.shape = shape.clone();
        this.elementType = elementType;
        this.owner = owner;
        this.data = memory.api().tensorData(value);
        OPEN.incrementAndGet();
    }

    /** Device tensors (and views) open in the process, for leak checks. */
    public static int openInProcess() {
        return OPEN.get();
    }

    /** A view of this tensor's first {@code rows} rows (axis 0), closed with this tensor's memory or by the caller. */
    public DeviceTensor rows(int rows) {
        long[] s = shape.clone();
        if (rows < 1 || rows > s[0]) throw new IllegalArgumentException(rows + " rows of a tensor of " + s[0]);
        s[0] = rows;
        return memory.view(this, s);
    }

    /**
     * A view of this tensor's leading elements as a tensor of {@code shape} (e.g. {@code [layers, n, hidden]} over a
     * {@code [layers, max, hidden]} buffer: the n-row tensor's elements are the first ones, in its own layout).
     */
    public DeviceTensor leading(long[] shape) {
        return memory.view(this, shape);
    }

    /** The {@code OrtValue*}. */
    public Pointer value() {
        if (closed.get()) throw new IllegalStateException("device tensor is closed");
        return value;
    }

    Pointer data() {
        return data;
    }

    int elementType() {
        return elementType;
    }

    boolean owner() {
        return owner;
    }

    public long[] shape() {
        return shape.clone();
    }

    /** Size of the data in bytes. */
    public long bytes() {
        return bytes(shape, elementType);
    }

    /**
     * For tests on the CPU execution provider only: the tensor's float32 elements read straight from host memory
     * ({@code device} must be "cpu").
     */
    public void readHostFloats(FloatBuffer into) {
        requireCpu();
        int n = Math.toIntExact(bytes() / Float.BYTES);
        for (int i = 0; i < n; i++) into.put(i, data.getFloat((long) i * Float.BYTES));
    }

    /** For tests on the CPU execution provider only: the tensor's float16 elements read straight from host memory. */
    public void readHostHalves(ShortBuffer into) {
        requireCpu();
        int n = Math.toIntExact(bytes() / Short.BYTES);
        for (int i = 0; i < n; i++) into.put(i, data.getShort((long) i * Short.BYTES));
    }

    private void requireCpu() {
        if (!memory.device().equals("cpu")) throw new IllegalStateException("tensor is on " + memory.device());
    }

    /** Bytes of a tensor of {@code shape} and {@code elementType}. */
    public static long bytes(long[] shape, int elementType) {
        long n = elementSize(elementType);
        for (long d : shape) n *= d;
        return n;
    }

    /** Bytes per element of the element types the engine uses. */
    public static int elementSize(int elementType) {
        return switch (elementType) {
            case OrtCApi.FLOAT, OrtCApi.INT32 -> 4;
            case OrtCApi.INT64 -> 8;
            case OrtCApi.FLOAT16 -> 2;
            default -> throw new IllegalArgumentException("element type " + elementType);
        };
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) return;
        memory.api().releaseValue(value);
        memory.closed(this);
        OPEN.decrementAndGet();
    }
}
