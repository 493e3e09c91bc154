package org.streamasr.engine.ort;

import com.sun.jna.Pointer;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The memory of one execution device as a session sees it: the session's allocator there ({@code CreateAllocator}
 * with the device's memory info: "Cpu", or "Cuda" and a device id) and the tensors allocated from it. Owns them all:
 * {@link #close()} releases every tensor still open, then the allocator, so nothing outlives the allocator it came
 * from. On the CPU execution provider the "device" is host memory and the same code runs.
 */
public final class DeviceMemory implements AutoCloseable {
    private final OrtCApi api;
    private final Pointer allocator;
    private final Pointer info;
    private final String device;
    private final Set<DeviceTensor> open = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    private DeviceMemory(OrtCApi api, Pointer allocator, String device) {
        this.api = api;
        this.allocator = allocator;
        this.info = api.allocatorInfo(allocator);
        this.device = device;
    }

    /**
     * The allocator of {@code session} on its execution device: {@code cuda} (device {@code deviceId}) or {@code cpu}.
     */
    public static DeviceMemory of(OrtCApi api, Pointer session, String provider, int deviceId) {
        boolean cuda = provider.equals("cuda");
        Pointer memoryInfo = cuda ? api.createMemoryInfo("Cuda", deviceId) : api.createCpuMemoryInfo();
        try {
            return new DeviceMemory(api, api.createAllocator(session, memoryInfo), cuda ? "cuda:" + deviceId : "cpu");
        } finally {
            api.releaseMemoryInfo(memoryInfo);
        }
    }

    /** "cpu" or "cuda:N". */
    public String device() {
        return device;
    }

    /** A new tensor of this device; its contents are undefined until written. */
    public DeviceTensor allocate(long[] shape, int elementType) {
        ensureOpen();
        DeviceTensor t = new DeviceTensor(this, api.createTensor(allocator, shape, elementType), shape, elementType, true);
        open.add(t);
        return t;
    }

    /** A tensor over the first {@code shape} elements of {@code base}'s memory (a view: {@code base} owns the memory). */
    DeviceTensor view(DeviceTensor base, long[] shape) {
        ensureOpen();
        long bytes = DeviceTensor.bytes(shape, base.elementType());
        if (bytes > base.bytes()) throw new IllegalArgumentException("a view larger than its base tensor");
        DeviceTensor t = new DeviceTensor(this, api.createTensorOver(info, base.data(), bytes, shape, base.elementType()),
                shape, base.elementType(), false);
        open.add(t);
        return t;
    }

    OrtCApi api() {
        return api;
    }

    void closed(DeviceTensor t) {
        open.remove(t);
    }

    /** Tensors of this memory not yet closed (for leak checks). */
    public int openTensors() {
        return open.size();
    }

    private void ensureOpen() {
        if (closed) throw new IllegalStateException("device memory " + device + " is closed");
    }

    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        // views first: they point into their bases' memory
        for (DeviceTensor t : open.toArray(new DeviceTensor[0])) if (!t.owner()) t.close();
        for (DeviceTensor t : open.toArray(new DeviceTensor[0])) t.close();
        api.releaseAllocator(allocator);
    }
}
