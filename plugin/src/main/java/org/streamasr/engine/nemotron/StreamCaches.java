package org.streamasr.engine.nemotron;

import java.nio.FloatBuffer;
import org.streamasr.engine.batch.BatchAxis;

/**
 * One stream's model state: the encoder caches (Java-owned direct buffers, about 7 MiB for the real models) and
 * length, and the RNN-T decoder's output and LSTM states. Stacked into a worker's batch buffers before a run and
 * unstacked after it.
 */
final class StreamCaches {
    final FloatBuffer channel;
    final FloatBuffer time;
    long channelLen;
    final float[] decoderOut;
    final float[] stateH;
    final float[] stateC;
    final BatchAxis channelAxis;
    final BatchAxis timeAxis;
    final BatchAxis stateAxis;
    /** The caches resident on the execution device ({@code device-state = device}); null on the host path. */
    DeviceCaches device;
    /** Changed since the last reset; a silent stream's repeated resets then cost nothing. */
    boolean dirty = true;
    private static final int ZERO_BLOCK = 1 << 14;
    private static final FloatBuffer ZEROS = Workspace.floats(ZERO_BLOCK);

    StreamCaches(EncoderContract c) {
        this(c, true);
    }

    /** @param hostCaches false for a model whose caches stay on the device: the host cache buffers are left empty */
    StreamCaches(EncoderContract c, boolean hostCaches) {
        int channelElements = c.layers() * c.leftContext() * c.dModel();
        int timeElements = c.timeLayers() * c.timeDim() * c.convContext();
        channel = Workspace.floats(hostCaches ? channelElements : 0);
        time = Workspace.floats(hostCaches ? timeElements : 0);
        decoderOut = new float[c.predHidden()];
        stateH = new float[c.predLayers() * c.predHidden()];
        stateC = new float[c.predLayers() * c.predHidden()];
        channelAxis = BatchAxis.first(channelElements);
        timeAxis = BatchAxis.first(timeElements);
        stateAxis = new BatchAxis(c.predLayers(), c.predHidden());
    }

    /** Initial state (sherpa-onnx's Reset): zero caches, length 0, decoder primed with the blank. */
    void reset(ChunkModel model) {
        if (!dirty) return;
        dirty = false;
        if (device != null) {
            device.fresh = true;
            device.statesFresh = true;
        }
        zero(channel);
        zero(time);
        channelLen = 0;
        model.primeDecoder(decoderOut, stateH, stateC);
    }

    /** Frees the device caches (a stream that is not pooled); the host buffers go with the object. */
    void releaseDevice() {
        if (device != null) device.close();
        device = null;
    }

    private static void zero(FloatBuffer b) {
        int n = b.capacity();
        for (int at = 0; at < n; at += ZERO_BLOCK) b.put(at, ZEROS, 0, Math.min(ZERO_BLOCK, n - at));
    }
}
