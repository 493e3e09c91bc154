package org.streamasr.media.opus;

import com.sun.jna.ptr.PointerByReference;
import java.nio.ByteBuffer;
import java.nio.IntBuffer;
import java.nio.ShortBuffer;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import tomp2p.opuswrapper.Opus;

/**
 * Native libopus encoder for mono voice, used to produce Opus RTP payloads (benchmarks, loopback checks, tests of
 * the receive path). Owns one native {@code OpusEncoder}; {@link #close()} frees it.
 */
public final class OpusFrameEncoder implements AutoCloseable {
    private static final AtomicInteger OPEN = new AtomicInteger();
    private final Opus lib;
    private final int rate;
    private final int channels;
    private PointerByReference state;
    private final ByteBuffer packet = ByteBuffer.allocateDirect(4000);

    /**
     * @param sampleRate  input rate (8, 12, 16, 24 or 48 kHz)
     * @param bitrate     bits per second
     * @param fecLossPerc expected loss in percent; above 0 enables in-band FEC (LBRR) tuned for that loss
     */
    public OpusFrameEncoder(int sampleRate, int bitrate, int fecLossPerc) {
        this(sampleRate, 1, bitrate, fecLossPerc);
    }

    /**
     * An encoder for {@code channels} interleaved channels (2 for the stereo payloads browsers send to a Jitsi
     * bridge: opus/48000/2).
     */
    public OpusFrameEncoder(int sampleRate, int channels, int bitrate, int fecLossPerc) {
        if (channels != 1 && channels != 2) throw new IllegalArgumentException("channels must be 1 or 2");
        this.lib = OpusNative.lib();
        this.rate = sampleRate;
        this.channels = channels;
        IntBuffer err = IntBuffer.allocate(1);
        PointerByReference st = lib.opus_encoder_create(sampleRate, channels, Opus.OPUS_APPLICATION_VOIP, err);
        if (err.get(0) != Opus.OPUS_OK || st == null) {
            throw new IllegalStateException("opus_encoder_create failed: " + lib.opus_strerror(err.get(0)));
        }
        lib.opus_encoder_ctl(st, Opus.OPUS_SET_BITRATE_REQUEST, bitrate);
        lib.opus_encoder_ctl(st, Opus.OPUS_SET_SIGNAL_REQUEST, Opus.OPUS_SIGNAL_VOICE);
        if (fecLossPerc > 0) {
            lib.opus_encoder_ctl(st, Opus.OPUS_SET_INBAND_FEC_REQUEST, 1);
            lib.opus_encoder_ctl(st, Opus.OPUS_SET_PACKET_LOSS_PERC_REQUEST, fecLossPerc);
        }
        this.state = st;
        OPEN.incrementAndGet();
    }

    public static int openCount() {
        return OPEN.get();
    }

    public int sampleRate() {
        return rate;
    }

    /**
     * Encodes one frame (2.5 to 60 ms: {@code frameSamples} per channel, interleaved when stereo) into a new payload
     * array.
     */
    public byte[] encode(short[] pcm, int off, int frameSamples) {
        PointerByReference st = state;
        if (st == null) throw new IllegalStateException("encoder closed");
        packet.clear();
        ShortBuffer in = ShortBuffer.wrap(Arrays.copyOfRange(pcm, off, off + frameSamples * channels));
        int n = lib.opus_encode(st, in, frameSamples, packet, packet.capacity());
        if (n < 0) throw new IllegalArgumentException("opus_encode failed: " + lib.opus_strerror(n));
        byte[] out = new byte[n];
        packet.get(out, 0, n);
        return out;
    }

    @Override
    public void close() {
        PointerByReference st = state;
        if (st == null) return;
        state = null;
        lib.opus_encoder_destroy(st);
        OPEN.decrementAndGet();
    }
}
