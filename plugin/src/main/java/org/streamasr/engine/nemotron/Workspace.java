package org.streamasr.engine.nemotron;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.ShortBuffer;
import java.util.HashMap;
import java.util.Map;

/**
 * One inference worker's pre-allocated batch buffers for one chunk model, sized for the largest batch: stream state is
 * stacked into the input buffers, the model writes its outputs straight into the output buffers (pinned outputs),
 * and results are unstacked from there. Direct, native-order buffers, so ONNX Runtime reads and writes them without
 * copies. Owned by one worker thread.
 */
final class Workspace {
    final int maxBatch;
    // encoder
    final FloatBuffer audio;
    final LongBuffer length;
    final FloatBuffer channelIn;
    final FloatBuffer channelOut;
    final FloatBuffer timeIn;
    final FloatBuffer timeOut;
    final LongBuffer channelLenIn;
    final LongBuffer channelLenOut;
    final LongBuffer prompt;
    final FloatBuffer encoded;
    final LongBuffer encodedLen;
    // joiner
    final FloatBuffer joinEncoder;
    final FloatBuffer joinDecoder;
    final FloatBuffer logits;
    // decoder
    final IntBuffer targets;
    final IntBuffer targetLength;
    final FloatBuffer stateH;
    final FloatBuffer stateC;
    final FloatBuffer decoderOut;
    final IntBuffer decoderLen;
    final FloatBuffer stateHOut;
    final FloatBuffer stateCOut;
    /** float16 staging per port of a full fp16 export, allocated on first use. */
    private final Map<String, ShortBuffer> half = new HashMap<>();
    private Workspace rowScratch;
    /** This worker's batch tensors on the execution device ({@code device-state = device}), allocated on first use. */
    DeviceEncoder.Batch device;
    /** This worker's decoder state batch tensors on the execution device, allocated on first use. */
    DeviceDecoder.Batch deviceDecoder;

    Workspace(EncoderContract c, int vocabWidth, int maxBatch) {
        this(c, vocabWidth, maxBatch, true);
    }

    /** @param hostCaches false when the caches stay on the device: the host cache batch buffers are left empty */
    Workspace(EncoderContract c, int vocabWidth, int maxBatch, boolean hostCaches) {
        this.maxBatch = maxBatch;
        long channel = hostCaches ? (long) c.layers() * c.leftContext() * c.dModel() : 0;
        long time = hostCaches ? (long) c.timeLayers() * c.timeDim() * c.convContext() : 0;
        long state = (long) c.predLayers() * c.predHidden();
        audio = floats((long) maxBatch * c.featDim() * c.windowSize());
        length = longs(maxBatch);
        channelIn = floats(maxBatch * channel);
        channelOut = floats(maxBatch * channel);
        timeIn = floats(maxBatch * time);
        timeOut = floats(maxBatch * time);
        channelLenIn = longs(maxBatch);
        channelLenOut = longs(maxBatch);
        prompt = longs(maxBatch);
        encoded = floats((long) maxBatch * c.dModel() * c.outFrames());
        encodedLen = longs(maxBatch);
        joinEncoder = floats((long) maxBatch * c.dModel() * c.outFrames());
        joinDecoder = floats((long) maxBatch * c.predHidden());
        logits = floats((long) maxBatch * c.outFrames() * vocabWidth);
        targets = ints(maxBatch);
        targetLength = ints(maxBatch);
        stateH = floats(maxBatch * state);
        stateC = floats(maxBatch * state);
        decoderOut = floats((long) maxBatch * c.predHidden());
        decoderLen = ints(maxBatch);
        stateHOut = floats(maxBatch * state);
        stateCOut = floats(maxBatch * state);
    }

    /** A one-row workspace beside this one, for a session that runs row by row; allocated on first use. */
    Workspace rowScratch(EncoderContract c, int vocabWidth) {
        if (rowScratch == null) rowScratch = new Workspace(c, vocabWidth, 1);
        return rowScratch;
    }

    /** The float16 staging buffer of {@code port} (session-qualified), at least {@code elements} long. */
    ShortBuffer half(String port, long elements) {
        ShortBuffer b = half.get(port);
        if (b == null || b.capacity() < elements) {
            b = bytes(elements * Short.BYTES).asShortBuffer();
            half.put(port, b);
        }
        return b;
    }

    static FloatBuffer floats(long n) {
        return bytes(n * Float.BYTES).asFloatBuffer();
    }

    static ShortBuffer shorts(long n) {
        return bytes(n * Short.BYTES).asShortBuffer();
    }

    static LongBuffer longs(long n) {
        return bytes(n * Long.BYTES).asLongBuffer();
    }

    static IntBuffer ints(long n) {
        return bytes(n * Integer.BYTES).asIntBuffer();
    }

    private static ByteBuffer bytes(long n) {
        return ByteBuffer.allocateDirect(Math.toIntExact(n)).order(ByteOrder.nativeOrder());
    }
}
