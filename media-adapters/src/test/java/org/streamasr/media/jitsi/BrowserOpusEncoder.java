package org.streamasr.media.jitsi;

import club.minnced.opus.util.OpusLibrary;
import com.sun.jna.ptr.PointerByReference;
import java.nio.ByteBuffer;
import java.nio.IntBuffer;
import java.nio.ShortBuffer;
import java.util.ArrayList;
import java.util.List;
import org.streamasr.media.adapter.TestAudio;
import tomp2p.opuswrapper.Opus;

/**
 * Encodes 16 kHz mono speech the way a browser sends it to a Jitsi bridge: upsampled to 48 kHz, stereo (the same
 * signal in both channels), 20 ms frames, 40 kbit/s (enough for libopus to add LBRR to stereo SILK frames), in-band FEC on (Meet's
 * {@code useinbandfec=1}). libopus through
 * opus-java's JNA binding; test-only (the product only decodes).
 */
public final class BrowserOpusEncoder {
    public static final int FRAME_48K = 960;

    private BrowserOpusEncoder() {
    }

    public static List<byte[]> encode(short[] mono16k) throws Exception {
        if (!OpusLibrary.isInitialized()) OpusLibrary.loadFromJar();
        short[] mono48k = TestAudio.resample(mono16k, 16_000, 48_000);
        Opus lib = Opus.INSTANCE;
        IntBuffer err = IntBuffer.allocate(1);
        PointerByReference st = lib.opus_encoder_create(48_000, 2, Opus.OPUS_APPLICATION_VOIP, err);
        if (err.get(0) != Opus.OPUS_OK) throw new IllegalStateException("opus_encoder_create: " + lib.opus_strerror(err.get(0)));
        List<byte[]> packets = new ArrayList<>();
        try {
            lib.opus_encoder_ctl(st, Opus.OPUS_SET_BITRATE_REQUEST, 40_000);
            lib.opus_encoder_ctl(st, Opus.OPUS_SET_INBAND_FEC_REQUEST, 1);
            lib.opus_encoder_ctl(st, Opus.OPUS_SET_PACKET_LOSS_PERC_REQUEST, 10);
            ByteBuffer packet = ByteBuffer.allocateDirect(4000);
            short[] stereo = new short[2 * FRAME_48K];
            for (int off = 0; off + FRAME_48K <= mono48k.length; off += FRAME_48K) {
                for (int i = 0; i < FRAME_48K; i++) {
                    stereo[2 * i] = mono48k[off + i];
                    stereo[2 * i + 1] = mono48k[off + i];
                }
                packet.clear();
                int n = lib.opus_encode(st, ShortBuffer.wrap(stereo), FRAME_48K, packet, packet.capacity());
                if (n < 0) throw new IllegalStateException("opus_encode: " + lib.opus_strerror(n));
                byte[] p = new byte[n];
                packet.get(p, 0, n);
                packets.add(p);
            }
        } finally {
            lib.opus_encoder_destroy(st);
        }
        return packets;
    }
}
