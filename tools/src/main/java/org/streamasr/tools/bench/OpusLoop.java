package org.streamasr.tools.bench;

import java.util.Base64;
import org.streamasr.media.opus.OpusFrameEncoder;

/**
 * Speech encoded once the way a Jitsi bridge forwards a browser's audio (stereo Opus, 20 ms per packet), as the
 * base64 payloads of MEDIAJSON media events. The load test's calls send these in a loop, each from its own offset,
 * so the senders spend no time encoding while the server is measured.
 */
final class OpusLoop {
    static final int FRAME_16K = 320;         // 20 ms at 16 kHz
    static final int FRAME_48K_TICKS = 960;   // 20 ms on Opus' 48 kHz RTP clock

    private final String[] payloads;

    private OpusLoop(String[] payloads) {
        this.payloads = payloads;
    }

    /** Encodes {@code speech} (16 kHz mono) into 20 ms stereo Opus packets. */
    static OpusLoop encode(short[] speech) {
        int packets = speech.length / FRAME_16K;
        if (packets < 1) throw new IllegalArgumentException("speech shorter than one 20 ms packet");
        String[] out = new String[packets];
        short[] stereo = new short[2 * FRAME_16K];
        try (OpusFrameEncoder encoder = new OpusFrameEncoder(16_000, 2, 40_000, 10)) {
            for (int p = 0; p < packets; p++) {
                for (int i = 0; i < FRAME_16K; i++) {
                    stereo[2 * i] = speech[p * FRAME_16K + i];
                    stereo[2 * i + 1] = speech[p * FRAME_16K + i];
                }
                out[p] = Base64.getEncoder().encodeToString(encoder.encode(stereo, 0, FRAME_16K));
            }
        }
        return new OpusLoop(out);
    }

    int size() {
        return payloads.length;
    }

    /** The payload of packet {@code n} of the loop (wrapping around). */
    String payload(long n) {
        return payloads[(int) Math.floorMod(n, (long) payloads.length)];
    }
}
