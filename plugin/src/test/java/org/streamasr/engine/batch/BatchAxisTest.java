package org.streamasr.engine.batch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import org.junit.jupiter.api.Test;

/** Stacking and unstacking alone, with known values. */
class BatchAxisTest {
    private static FloatBuffer direct(float... values) {
        FloatBuffer b = ByteBuffer.allocateDirect(values.length * 4).order(ByteOrder.nativeOrder()).asFloatBuffer();
        b.put(values).rewind();
        return b;
    }

    private static float[] contents(FloatBuffer b, int n) {
        float[] a = new float[n];
        b.get(0, a);
        return a;
    }

    @Test
    void axisZeroPutsEachStreamInItsRow() {
        BatchAxis axis = BatchAxis.first(3);
        FloatBuffer batch = direct(new float[4 * 3]);
        axis.stack(direct(1, 2, 3), batch, 0, 2);
        axis.stack(direct(4, 5, 6), batch, 1, 2);
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, contents(batch, 6));
        FloatBuffer back = direct(new float[3]);
        axis.unstack(batch, 1, 2, back);
        assertArrayEquals(new float[] {4, 5, 6}, contents(back, 3));
    }

    @Test
    void axisOneInterleavesLayers() {
        // [layers=2, B, hidden=2]: stream s has layer0 = {s0, s1}, layer1 = {s2, s3}
        BatchAxis axis = new BatchAxis(2, 2);
        FloatBuffer batch = direct(new float[2 * 3 * 2]);
        axis.stack(new float[] {10, 11, 12, 13}, batch, 0, 3);
        axis.stack(new float[] {20, 21, 22, 23}, batch, 1, 3);
        axis.stack(new float[] {30, 31, 32, 33}, batch, 2, 3);
        assertArrayEquals(new float[] {10, 11, 20, 21, 30, 31, 12, 13, 22, 23, 32, 33}, contents(batch, 12));
        float[] back = new float[4];
        axis.unstack(batch, 1, 3, back);
        assertArrayEquals(new float[] {20, 21, 22, 23}, back);
        axis.unstack(batch, 2, 3, back);
        assertArrayEquals(new float[] {30, 31, 32, 33}, back);
    }

    @Test
    void stackThenUnstackIsIdentityForEveryRow() {
        BatchAxis axis = new BatchAxis(3, 5);
        int rows = 4;
        FloatBuffer batch = direct(new float[rows * 15]);
        float[][] streams = new float[rows][15];
        for (int r = 0; r < rows; r++) for (int i = 0; i < 15; i++) streams[r][i] = r * 100 + i;
        for (int r = 0; r < rows; r++) axis.stack(streams[r], batch, r, rows);
        for (int r = 0; r < rows; r++) {
            float[] back = new float[15];
            axis.unstack(batch, r, rows, back);
            assertArrayEquals(streams[r], back);
        }
    }

    @Test
    void rowsOutsideTheBatchAreRefused() {
        BatchAxis axis = BatchAxis.first(2);
        FloatBuffer batch = direct(new float[4]);
        assertThrows(IndexOutOfBoundsException.class, () -> axis.stack(new float[2], batch, 2, 2));
    }
}
