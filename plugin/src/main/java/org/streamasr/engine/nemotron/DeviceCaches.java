package org.streamasr.engine.nemotron;

import org.streamasr.engine.ort.DeviceTensor;

/**
 * One stream's encoder caches resident on the execution device ({@code device-state = device}): channel and time
 * cache, one row each, written by the unstack graph after every chunk and read by the stack graph before the next.
 * A reset only marks them {@code fresh}: the next stack reads the model's shared zero rows instead, so a reset copies
 * nothing. Owned by the stream's {@link StreamCaches}; its memory by the model's {@link DeviceEncoder}.
 */
final class DeviceCaches implements AutoCloseable {
    final DeviceEncoder owner;
    final DeviceTensor channel;
    final DeviceTensor time;
    /** Never written since the last reset: the caches are zeros. */
    boolean fresh = true;
    /** The decoder's LSTM states ({@link DeviceDecoder}), allocated on the stream's first decoder call. */
    DeviceTensor h;
    DeviceTensor c;
    /** No decoder call since the last reset: the states are the model's primed ones. */
    boolean statesFresh = true;

    DeviceCaches(DeviceEncoder owner, DeviceTensor channel, DeviceTensor time) {
        this.owner = owner;
        this.channel = channel;
        this.time = time;
    }

    @Override
    public void close() {
        channel.close();
        time.close();
        if (h != null) h.close();
        if (c != null) c.close();
    }
}
