package org.streamasr.engine.batch;

import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;

/**
 * How a per-stream tensor sits in a batched one: the batched tensor is {@code [outer..., B, inner...]} (batch on some
 * axis), a stream's slice is the same without the batch axis, {@code outer * inner} elements, contiguous. Encoder
 * caches are batched on axis 0 ({@code outer = 1}); decoder LSTM states {@code [layers, B, hidden]} on axis 1
 * ({@code outer = layers}).
 *
 * <p>{@link #stack} copies a stream's slice into row {@code row} of a batch of {@code batch} rows; {@link #unstack}
 * copies it back. Buffers are addressed absolutely (positions and limits are not touched).
 */
public record BatchAxis(int outer, int inner) {

    public BatchAxis {
        if (outer <= 0 || inner <= 0) throw new IllegalArgumentException("outer and inner must be positive: " + outer + ", " + inner);
    }

    /** Batched on axis 0: {@code [B, elements]}. */
    public static BatchAxis first(int elements) {
        return new BatchAxis(1, elements);
    }

    /** Elements of one stream's slice. */
    public int elements() {
        return outer * inner;
    }

    public void stack(FloatBuffer stream, FloatBuffer batched, int row, int batch) {
        check(row, batch);
        for (int o = 0; o < outer; o++) batched.put((o * batch + row) * inner, stream, o * inner, inner);
    }

    public void unstack(FloatBuffer batched, int row, int batch, FloatBuffer stream) {
        check(row, batch);
        for (int o = 0; o < outer; o++) stream.put(o * inner, batched, (o * batch + row) * inner, inner);
    }

    public void stack(float[] stream, FloatBuffer batched, int row, int batch) {
        check(row, batch);
        for (int o = 0; o < outer; o++) batched.put((o * batch + row) * inner, stream, o * inner, inner);
    }

    public void unstack(FloatBuffer batched, int row, int batch, float[] stream) {
        check(row, batch);
        for (int o = 0; o < outer; o++) batched.get((o * batch + row) * inner, stream, o * inner, inner);
    }

    public void stack(long[] stream, LongBuffer batched, int row, int batch) {
        check(row, batch);
        for (int o = 0; o < outer; o++) batched.put((o * batch + row) * inner, stream, o * inner, inner);
    }

    public void unstack(LongBuffer batched, int row, int batch, long[] stream) {
        check(row, batch);
        for (int o = 0; o < outer; o++) batched.get((o * batch + row) * inner, stream, o * inner, inner);
    }

    public void stack(int[] stream, IntBuffer batched, int row, int batch) {
        check(row, batch);
        for (int o = 0; o < outer; o++) batched.put((o * batch + row) * inner, stream, o * inner, inner);
    }

    private static void check(int row, int batch) {
        if (row < 0 || row >= batch) throw new IndexOutOfBoundsException("row " + row + " of a batch of " + batch);
    }
}
