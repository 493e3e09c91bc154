package org.streamasr.engine.ort;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import com.sun.jna.Function;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;
import java.lang.reflect.Field;
import java.nio.Buffer;

/**
 * The few calls of ONNX Runtime's C API that its Java API lacks (IO binding, tensors on a device), called through JNA
 * on the very library the Java API loaded: {@code ai.onnxruntime.OnnxRuntime.ortApiHandle} is the {@code const OrtApi*}
 * it obtained from {@code OrtGetApiBase()->GetApi(ORT_API_VERSION)}, and the Java session and tensor objects hold
 * their {@code OrtSession*} / {@code OrtValue*} in private {@code nativeHandle} fields. One library, one
 * environment, one set of allocators: a session opened by the Java API runs here with device-resident inputs and
 * outputs.
 *
 * <p>The {@code OrtApi} struct is a table of function pointers that only ever grows at its end (its order is ABI);
 * the indices below are the positions of the members in {@code include/onnxruntime/core/session/onnxruntime_c_api.h},
 * counted from {@code CreateStatus} = 0. Every {@code OrtStatus*} that is not null becomes an
 * {@link OrtCallException} naming the call, and the status is released.
 */
public final class OrtCApi {
    // positions in struct OrtApi (onnxruntime_c_api.h), unchanged since the 1.x ABI was frozen
    private static final int GET_ERROR_CODE = 1;
    private static final int GET_ERROR_MESSAGE = 2;
    private static final int CREATE_TENSOR_AS_ORT_VALUE = 48;
    private static final int CREATE_TENSOR_WITH_DATA_AS_ORT_VALUE = 49;
    private static final int GET_TENSOR_MUTABLE_DATA = 51;
    private static final int CREATE_CPU_MEMORY_INFO = 69;
    private static final int ALLOCATOR_GET_INFO = 77;
    private static final int RELEASE_STATUS = 93;
    private static final int RELEASE_MEMORY_INFO = 94;
    private static final int RELEASE_VALUE = 96;
    private static final int CREATE_RUN_OPTIONS = 39;
    private static final int CREATE_MEMORY_INFO = 68;
    private static final int CREATE_ALLOCATOR = 131;
    private static final int RELEASE_ALLOCATOR = 132;
    private static final int RUN_WITH_BINDING = 133;
    private static final int CREATE_IO_BINDING = 134;
    private static final int RELEASE_IO_BINDING = 135;
    private static final int BIND_INPUT = 136;
    private static final int BIND_OUTPUT = 137;
    private static final int CLEAR_BOUND_INPUTS = 141;
    private static final int CLEAR_BOUND_OUTPUTS = 142;

    /** {@code ONNXTensorElementDataType} values used here. */
    public static final int FLOAT = 1;
    public static final int INT32 = 6;
    public static final int INT64 = 7;
    public static final int FLOAT16 = 10;

    /** {@code OrtAllocatorType} and {@code OrtMemType}. */
    static final int DEVICE_ALLOCATOR = 0;
    static final int MEM_TYPE_DEFAULT = 0;

    private static volatile OrtCApi instance;

    private final Pointer api;
    private final Field sessionHandle;
    private final Function[] functions = new Function[160];
    /** Default run options, never changed (so shared by all threads), for the life of the process. */
    private final Pointer runOptions;

    private OrtCApi(Pointer api, Field sessionHandle) {
        this.api = api;
        this.sessionHandle = sessionHandle;
        this.runOptions = out(CREATE_RUN_OPTIONS, "CreateRunOptions");
    }

    /** The C API of the ONNX Runtime that the Java API loaded (loading it if need be). */
    public static OrtCApi get() {
        OrtCApi a = instance;
        if (a != null) return a;
        synchronized (OrtCApi.class) {
            if (instance == null) instance = load();
            return instance;
        }
    }

    private static OrtCApi load() {
        OrtEnvironment.getEnvironment();
        try {
            Class<?> runtime = Class.forName("ai.onnxruntime.OnnxRuntime");
            Field handle = runtime.getDeclaredField("ortApiHandle");
            handle.setAccessible(true);
            long api = handle.getLong(null);
            if (api == 0) throw new IllegalStateException("ONNX Runtime's OrtApi pointer is not set");
            Field session = OrtSession.class.getDeclaredField("nativeHandle");
            session.setAccessible(true);
            return new OrtCApi(new Pointer(api), session);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("cannot reach ONNX Runtime's C API through its Java API (expected "
                    + "ai.onnxruntime.OnnxRuntime.ortApiHandle and OrtSession.nativeHandle, ONNX Runtime Java 1.29): " + e, e);
        }
    }

    private Function fn(int index) {
        Function f = functions[index];
        if (f == null) {
            f = Function.getFunction(api.getPointer((long) index * Native.POINTER_SIZE));
            functions[index] = f;
        }
        return f;
    }

    /** Throws for a failed call (a non-null status), releasing the status. */
    private void check(Pointer status, String what) {
        if (status == null) return;
        int code = fn(GET_ERROR_CODE).invokeInt(new Object[] {status});
        String message = fn(GET_ERROR_MESSAGE).invokeString(new Object[] {status}, false);
        fn(RELEASE_STATUS).invokeVoid(new Object[] {status});
        throw new OrtCallException(what + " failed (OrtErrorCode " + code + "): " + message);
    }

    private void call(int index, String what, Object... args) {
        check(fn(index).invokePointer(args), what);
    }

    private Pointer out(int index, String what, Object... argsBeforeOut) {
        PointerByReference out = new PointerByReference();
        Object[] args = java.util.Arrays.copyOf(argsBeforeOut, argsBeforeOut.length + 1);
        args[argsBeforeOut.length] = out;
        call(index, what, args);
        return out.getValue();
    }

    /** The {@code OrtSession*} of a session opened through the Java API. */
    public Pointer session(OrtSession s) {
        try {
            return new Pointer(sessionHandle.getLong(s));
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---- memory ----

    /** CPU memory info, for tensors over Java direct buffers; release with {@link #releaseMemoryInfo}. */
    Pointer createCpuMemoryInfo() {
        return out(CREATE_CPU_MEMORY_INFO, "CreateCpuMemoryInfo", DEVICE_ALLOCATOR, MEM_TYPE_DEFAULT);
    }

    /** Memory info of a named device ("Cpu", "Cuda"); release with {@link #releaseMemoryInfo}. */
    Pointer createMemoryInfo(String name, int deviceId) {
        return out(CREATE_MEMORY_INFO, "CreateMemoryInfo(" + name + ", " + deviceId + ")", name, DEVICE_ALLOCATOR,
                deviceId, MEM_TYPE_DEFAULT);
    }

    void releaseMemoryInfo(Pointer info) {
        fn(RELEASE_MEMORY_INFO).invokeVoid(new Object[] {info});
    }

    /** The session's allocator for the memory {@code info} names; release with {@link #releaseAllocator}. */
    Pointer createAllocator(Pointer session, Pointer info) {
        return out(CREATE_ALLOCATOR, "CreateAllocator", session, info);
    }

    void releaseAllocator(Pointer allocator) {
        fn(RELEASE_ALLOCATOR).invokeVoid(new Object[] {allocator});
    }

    /** The memory info of an allocator (owned by it: not released). */
    Pointer allocatorInfo(Pointer allocator) {
        return out(ALLOCATOR_GET_INFO, "AllocatorGetInfo", allocator);
    }

    // ---- values ----

    /** A tensor allocated by {@code allocator} (on its device); release with {@link #releaseValue}. */
    Pointer createTensor(Pointer allocator, long[] shape, int elementType) {
        return out(CREATE_TENSOR_AS_ORT_VALUE, "CreateTensorAsOrtValue", allocator, shape, (long) shape.length, elementType);
    }

    /** A tensor over memory the caller owns ({@code info} says where); release with {@link #releaseValue}. */
    Pointer createTensorOver(Pointer info, Pointer data, long bytes, long[] shape, int elementType) {
        return out(CREATE_TENSOR_WITH_DATA_AS_ORT_VALUE, "CreateTensorWithDataAsOrtValue", info, data, bytes, shape,
                (long) shape.length, elementType);
    }

    /** The address of a tensor's data (a device address for a device tensor). */
    Pointer tensorData(Pointer value) {
        return out(GET_TENSOR_MUTABLE_DATA, "GetTensorMutableData", value);
    }

    void releaseValue(Pointer value) {
        fn(RELEASE_VALUE).invokeVoid(new Object[] {value});
    }

    /** The address of a direct buffer's first element at its position 0. */
    static Pointer address(Buffer direct) {
        if (!direct.isDirect()) throw new IllegalArgumentException("not a direct buffer");
        return Native.getDirectBufferPointer(direct);
    }

    // ---- IO binding ----

    Pointer createIoBinding(Pointer session) {
        return out(CREATE_IO_BINDING, "CreateIoBinding", session);
    }

    void releaseIoBinding(Pointer binding) {
        fn(RELEASE_IO_BINDING).invokeVoid(new Object[] {binding});
    }

    void bindInput(Pointer binding, String name, Pointer value) {
        call(BIND_INPUT, "BindInput(" + name + ")", binding, name, value);
    }

    void bindOutput(Pointer binding, String name, Pointer value) {
        call(BIND_OUTPUT, "BindOutput(" + name + ")", binding, name, value);
    }

    void clearBindings(Pointer binding) {
        fn(CLEAR_BOUND_INPUTS).invokeVoid(new Object[] {binding});
        fn(CLEAR_BOUND_OUTPUTS).invokeVoid(new Object[] {binding});
    }

    void runWithBinding(Pointer session, Pointer binding, String what) {
        call(RUN_WITH_BINDING, what, session, runOptions, binding);
    }
}
