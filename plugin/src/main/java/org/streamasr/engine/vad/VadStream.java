package org.streamasr.engine.vad;

import java.util.Arrays;

/**
 * One stream's Silero VAD state: the audio not yet evaluated, the 64 samples of context the model sees before each
 * 512-sample window, the recurrent state {@code [2][128]}, and the probabilities not yet polled. The model
 * ({@link SileroVadModel}) is shared; this object is not thread-safe and belongs to one stream, driven by one thread
 * at a time (the caller that also calls {@link SileroVadModel#process}).
 */
public final class VadStream {
    private final float[] context = new float[SileroVadModel.CONTEXT];
    private final float[] state = new float[SileroVadModel.STATE_SIZE];
    private float[] pending = new float[4 * SileroVadModel.WINDOW];
    private int pendingLen;
    private float[] probabilities = new float[16];
    private int probHead;
    private int probCount;
    private long windowsEvaluated;
    private long samplesAccepted;
    private boolean finished;

    VadStream() {
    }

    /** Appends 16 kHz samples in [-1, 1]; they are evaluated in windows of 512 by {@link SileroVadModel#process}. */
    public void accept(float[] samples, int offset, int length) {
        if (finished) throw new IllegalStateException("accept after finish(); call reset() to start a new signal");
        java.util.Objects.checkFromIndexSize(offset, length, samples.length);
        if (pendingLen + length > pending.length) pending = Arrays.copyOf(pending, Math.max(2 * pending.length, pendingLen + length));
        System.arraycopy(samples, offset, pending, pendingLen, length);
        pendingLen += length;
        samplesAccepted += length;
    }

    /** End of signal: a last partial window is zero-padded to 512 samples (as silero's own wrapper does). */
    public void finish() {
        if (finished) return;
        finished = true;
        int rest = pendingLen % SileroVadModel.WINDOW;
        if (rest != 0) {
            int pad = SileroVadModel.WINDOW - rest;
            if (pendingLen + pad > pending.length) pending = Arrays.copyOf(pending, pendingLen + pad);
            Arrays.fill(pending, pendingLen, pendingLen + pad, 0f);
            pendingLen += pad;
        }
    }

    /** Forgets everything: a new signal starts with zero context and zero recurrent state. */
    public void reset() {
        Arrays.fill(context, 0f);
        Arrays.fill(state, 0f);
        pendingLen = 0;
        probHead = 0;
        probCount = 0;
        windowsEvaluated = 0;
        samplesAccepted = 0;
        finished = false;
    }

    /** Windows of 512 samples waiting for the model. */
    public int windowsReady() {
        return pendingLen / SileroVadModel.WINDOW;
    }

    /** Speech probabilities evaluated and not yet polled, one per 32 ms window. */
    public int probabilitiesAvailable() {
        return probCount;
    }

    /** Moves up to {@code max} probabilities (oldest first) into {@code dst}; returns how many. */
    public int poll(float[] dst, int offset, int max) {
        int n = Math.min(Math.max(max, 0), probCount);
        java.util.Objects.checkFromIndexSize(offset, n, dst.length);
        for (int i = 0; i < n; i++) {
            dst[offset + i] = probabilities[probHead];
            probHead = (probHead + 1) % probabilities.length;
        }
        probCount -= n;
        return n;
    }

    /** Windows evaluated so far; window {@code k} covers samples {@code [512 k, 512 k + 512)}. */
    public long windowsEvaluated() {
        return windowsEvaluated;
    }

    public long samplesAccepted() {
        return samplesAccepted;
    }

    public boolean isFinished() {
        return finished;
    }

    // ---- the model's side: stack this stream's next window and state into a batch, and take the results back ----

    /** Writes context + the next window ({@code 576} samples) at {@code input[row * 576]}. */
    void stackInput(float[] input, int row) {
        int at = row * SileroVadModel.INPUT;
        System.arraycopy(context, 0, input, at, SileroVadModel.CONTEXT);
        System.arraycopy(pending, 0, input, at + SileroVadModel.CONTEXT, SileroVadModel.WINDOW);
    }

    /** Writes the recurrent state into a batch state tensor {@code [2, batch, 128]} at {@code row}. */
    void stackState(float[] batchState, int row, int batch) {
        stack(state, batchState, row, batch);
    }

    /** Takes back the model's result for this stream's window: probability and next state; advances by one window. */
    void commit(float probability, float[] batchStateN, int row, int batch) {
        unstack(batchStateN, row, batch, state);
        System.arraycopy(pending, SileroVadModel.WINDOW - SileroVadModel.CONTEXT, context, 0, SileroVadModel.CONTEXT);
        System.arraycopy(pending, SileroVadModel.WINDOW, pending, 0, pendingLen - SileroVadModel.WINDOW);
        pendingLen -= SileroVadModel.WINDOW;
        windowsEvaluated++;
        if (probCount == probabilities.length) {
            float[] grown = new float[probabilities.length * 2];
            for (int i = 0; i < probCount; i++) grown[i] = probabilities[(probHead + i) % probabilities.length];
            probabilities = grown;
            probHead = 0;
        }
        probabilities[(probHead + probCount) % probabilities.length] = probability;
        probCount++;
    }

    /** Copies a stream state {@code [2][128]} into row {@code row} of a batch state {@code [2][batch][128]}. */
    static void stack(float[] streamState, float[] batchState, int row, int batch) {
        int h = SileroVadModel.HIDDEN;
        for (int layer = 0; layer < 2; layer++) {
            System.arraycopy(streamState, layer * h, batchState, (layer * batch + row) * h, h);
        }
    }

    /** Copies row {@code row} of a batch state {@code [2][batch][128]} into a stream state {@code [2][128]}. */
    static void unstack(float[] batchState, int row, int batch, float[] streamState) {
        int h = SileroVadModel.HIDDEN;
        for (int layer = 0; layer < 2; layer++) {
            System.arraycopy(batchState, (layer * batch + row) * h, streamState, layer * h, h);
        }
    }
}
