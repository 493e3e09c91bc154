package org.streamasr.media.opus;

import com.sun.jna.ptr.PointerByReference;
import java.nio.IntBuffer;
import java.nio.ShortBuffer;
import java.util.concurrent.atomic.AtomicInteger;
import org.streamasr.media.codec.AudioCodec;
import org.streamasr.media.codec.AudioDecoder;
import org.streamasr.media.codec.CodecSpec;
import tomp2p.opuswrapper.Opus;

/**
 * Opus RTP payloads (RFC 7587) decoded by native libopus straight to mono at 16 kHz (or another rate libopus
 * supports: 8, 12, 16, 24, 48 kHz), so no resampler is needed. Stereo packets are mixed down by libopus.
 *
 * <p>Loss handling: {@link #conceal} runs libopus packet-loss concealment (decode with no data), in steps of at most
 * 20 ms; {@link #recover} decodes the in-band FEC (LBRR) that the next packet carries for the lost one
 * ({@code decode_fec=1}), when {@link OpusPackets#hasFec} says it has some.
 *
 * <p>Owns one native {@code OpusDecoder}; {@link #close()} frees it. {@link #openCount()} lets tests check for leaks.
 */
public final class OpusFrameDecoder implements AudioDecoder {
    private static final AtomicInteger OPEN = new AtomicInteger();
    /** Largest payload accepted: 120 ms of the highest Opus bitrate (510 kbit/s) is under 7.7 kB. */
    public static final int MAX_PAYLOAD_BYTES = 8_000;

    private final Opus lib;
    private final int rate;
    private final int maxSamples;
    private final int plcStep;
    private final CodecSpec spec;
    private PointerByReference state;
    private byte[] scratch = new byte[1500];
    private int lastFrameSamples;

    /** A decoder to mono at {@code sampleRate} (8000, 12000, 16000, 24000 or 48000). */
    public OpusFrameDecoder(int sampleRate) {
        if (sampleRate != 8000 && sampleRate != 12000 && sampleRate != 16000 && sampleRate != 24000 && sampleRate != 48000) {
            throw new IllegalArgumentException("Opus decodes to 8, 12, 16, 24 or 48 kHz, not " + sampleRate);
        }
        this.lib = OpusNative.lib();
        this.rate = sampleRate;
        this.maxSamples = OpusPackets.MAX_PACKET_SAMPLES_48K * sampleRate / 48_000;
        this.plcStep = sampleRate / 50;
        this.lastFrameSamples = plcStep;
        this.spec = CodecSpec.of(AudioCodec.OPUS);
        IntBuffer err = IntBuffer.allocate(1);
        PointerByReference st = lib.opus_decoder_create(sampleRate, 1, err);
        if (err.get(0) != Opus.OPUS_OK || st == null) {
            throw new IllegalStateException("opus_decoder_create failed: " + lib.opus_strerror(err.get(0)));
        }
        this.state = st;
        OPEN.incrementAndGet();
    }

    /** Native decoders currently open in this process. */
    public static int openCount() {
        return OPEN.get();
    }

    /** libopus version string, e.g. "libopus 1.3.1". */
    public static String libraryVersion() {
        return OpusNative.version();
    }

    @Override
    public CodecSpec spec() {
        return spec;
    }

    @Override
    public int sampleRate() {
        return rate;
    }

    @Override
    public int samplesIn(byte[] payload, int off, int len) {
        if (len < 1 || len > MAX_PAYLOAD_BYTES) return UNDECODABLE;
        int n = OpusPackets.samples48k(payload, off, len);
        return n == OpusPackets.INVALID ? UNDECODABLE : n * rate / 48_000;
    }

    @Override
    public int decode(byte[] payload, int off, int len, short[] out) {
        PointerByReference st = checkOpen();
        int expected = samplesIn(payload, off, len);
        if (expected == UNDECODABLE || expected > out.length) return UNDECODABLE;
        byte[] data = stage(payload, off, len);
        int n = lib.opus_decode(st, data, len, ShortBuffer.wrap(out), Math.min(out.length, maxSamples), 0);
        if (n < 0) return UNDECODABLE;
        lastFrameSamples = Math.max(rate / 400, Math.min(n, plcStep));
        return n;
    }

    @Override
    public int conceal(short[] out, int samples) {
        PointerByReference st = checkOpen();
        int step = Math.min(lastFrameSamples, plcStep);
        int quantum = rate / 400; // libopus PLC works in multiples of 2.5 ms
        int done = 0;
        while (samples - done >= quantum) {
            int want = Math.min(step, samples - done);
            want -= want % quantum;
            ShortBuffer target = ShortBuffer.wrap(out, done, want).slice();
            int n = lib.opus_decode(st, null, 0, target, want, 0);
            if (n <= 0) break;
            done += n;
        }
        java.util.Arrays.fill(out, done, samples, (short) 0);
        return samples;
    }

    @Override
    public int recoverableSamples(byte[] nextPayload, int off, int len) {
        if (len < 2 || len > MAX_PAYLOAD_BYTES || !OpusPackets.hasFec(nextPayload, off, len)) return 0;
        int spf = OpusPackets.samplesPerFrame48k(nextPayload[off] & 0xff);
        return Math.min(spf, 960) * rate / 48_000;
    }

    @Override
    public int recover(byte[] nextPayload, int off, int len, short[] out, int samples) {
        PointerByReference st = checkOpen();
        int available = recoverableSamples(nextPayload, off, len);
        if (available == 0 || samples <= 0 || samples > out.length || samples % (rate / 400) != 0) return 0;
        byte[] data = stage(nextPayload, off, len);
        int n = lib.opus_decode(st, data, len, ShortBuffer.wrap(out), samples, 1);
        return n == samples ? n : 0;
    }

    @Override
    public void close() {
        PointerByReference st = state;
        if (st == null) return;
        state = null;
        lib.opus_decoder_destroy(st);
        OPEN.decrementAndGet();
    }

    private PointerByReference checkOpen() {
        PointerByReference st = state;
        if (st == null) throw new IllegalStateException("decoder closed");
        return st;
    }

    /** JNA passes a byte[] from index 0, so payloads at an offset are copied to a reused buffer. */
    private byte[] stage(byte[] payload, int off, int len) {
        if (off == 0) return payload;
        if (scratch.length < len) scratch = new byte[len];
        System.arraycopy(payload, off, scratch, 0, len);
        return scratch;
    }
}
