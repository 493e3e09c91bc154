package org.streamasr.engine.ort;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The C-API path on the CPU execution provider: device tensors from a session's allocator, views of their leading
 * rows, and the stack/unstack graphs run with IO binding, host buffers in and out; known values go round the trip
 * exactly, and bytes are counted only for the host tensors.
 */
class DeviceRowStackTest {
    private static final long[] ROW = {2, 3};
    private static final List<RowStackGraphs.Port> PORTS = List.of(new RowStackGraphs.Port("a", OrtCApi.FLOAT, ROW),
            new RowStackGraphs.Port("len", OrtCApi.INT64, new long[0]));

    private static FloatBuffer floats(int n) {
        return ByteBuffer.allocateDirect(n * 4).order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    private static LongBuffer longs(int n) {
        return ByteBuffer.allocateDirect(n * 8).order(ByteOrder.nativeOrder()).asLongBuffer();
    }

    @Test
    void rowsStackOnTheDeviceAndComeBackExactly() throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        OrtCApi api = OrtCApi.get();
        int n = 3;
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions();
             OrtSession stack = env.createSession(RowStackGraphs.stack(n, PORTS), o);
             OrtSession unstack = env.createSession(RowStackGraphs.unstack(n, PORTS), o);
             DeviceMemory memory = DeviceMemory.of(api, api.session(stack), "cpu", 0)) {
            assertEquals("cpu", memory.device());
            DeviceTensor batch = memory.allocate(new long[] {4, 2, 3}, OrtCApi.FLOAT);
            DeviceTensor lens = memory.allocate(new long[] {4}, OrtCApi.INT64);
            DeviceTensor batchRows = batch.rows(n);
            DeviceTensor lenRows = lens.rows(n);
            try (IoBinding b = new IoBinding(api, stack)) {
                for (int i = 0; i < n; i++) {
                    FloatBuffer row = floats(6);
                    for (int k = 0; k < 6; k++) row.put(k, i * 10 + k);
                    LongBuffer len = longs(1);
                    len.put(0, 100 + i);
                    b.hostInput(RowStackGraphs.rowName("a", i), row, OrtCApi.FLOAT, 1, 2, 3);
                    b.hostInput(RowStackGraphs.rowName("len", i), len, OrtCApi.INT64, 1);
                }
                b.output("a", batchRows).output("len", lenRows).run("stack");
                assertEquals(n * (6 * 4 + 8), b.bytesToDevice());
                assertEquals(0, b.bytesToHost(), "device outputs cross nothing");
            }
            FloatBuffer seen = floats(4 * 6);
            batch.readHostFloats(seen);
            for (int i = 0; i < n; i++) for (int k = 0; k < 6; k++) assertEquals(i * 10 + k, seen.get(i * 6 + k));

            FloatBuffer[] back = new FloatBuffer[n];
            LongBuffer[] backLen = new LongBuffer[n];
            try (IoBinding b = new IoBinding(api, unstack)) {
                b.input("a", batchRows).input("len", lenRows);
                for (int i = 0; i < n; i++) {
                    back[i] = floats(6);
                    backLen[i] = longs(1);
                    b.hostOutput(RowStackGraphs.rowName("a", i), back[i], OrtCApi.FLOAT, 1, 2, 3);
                    b.hostOutput(RowStackGraphs.rowName("len", i), backLen[i], OrtCApi.INT64, 1);
                }
                b.run("unstack");
            }
            for (int i = 0; i < n; i++) {
                float[] expected = new float[6];
                float[] got = new float[6];
                for (int k = 0; k < 6; k++) expected[k] = i * 10 + k;
                back[i].get(0, got);
                assertArrayEquals(expected, got);
                assertEquals(100 + i, backLen[i].get(0));
            }
            assertEquals(4, memory.openTensors());
            batchRows.close();
            assertEquals(3, memory.openTensors());
        }
    }

    @Test
    void aFailedCallIsAClearException() throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        OrtCApi api = OrtCApi.get();
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions();
             OrtSession stack = env.createSession(RowStackGraphs.stack(1, PORTS), o);
             IoBinding b = new IoBinding(api, stack)) {
            OrtCallException e = assertThrows(OrtCallException.class,
                    () -> b.hostInput("no_such_input", floats(6), OrtCApi.FLOAT, 1, 2, 3).run("stack"));
            assertTrue(e.getMessage().contains("no_such_input") || e.getMessage().contains("BindInput"), e.getMessage());
        }
    }
}
