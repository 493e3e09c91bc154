package org.streamasr.media.codec;

import java.nio.ByteBuffer;
import org.streamasr.media.g711.G711;

/**
 * Notices audio that claims to be 16-bit linear PCM but is G.711: an Asterisk {@code Dial(AudioSocket/...)} without
 * {@code c(slin16)} sends the caller's µ-law or A-law bytes in frames marked as signed linear. The test is which
 * reading of the bytes is a signal: decoded byte by byte as µ-law (or A-law), G.711 audio is smooth (adjacent samples
 * are close, mean |x[n] - x[n-1]| / mean |x| = 0.26-0.88 over half-second windows of the LibriVox clips at 8 kHz),
 * while real PCM read that way is noise, its low bytes being random (1.38-1.72 on the same clips). A window that is
 * silent read as PCM (digital silence, µ-law's 0xFF idle code) decides nothing.
 *
 * <p>The verdict of the last deciding window of {@value #WINDOW_MS} ms holds until the next; it starts as "linear".
 * One instance per stream, used by one thread.
 */
public final class LinearPcmCheck {
    static final int WINDOW_MS = 500;
    /** Below this smoothness ratio a byte-wise G.711 reading is a signal, not noise. */
    static final double SMOOTH = 1.0;
    /** Mean |sample| read as PCM below which a window is silence and decides nothing. */
    static final double SILENT = 200;

    private final int windowBytes;
    private final Reading ulaw = new Reading();
    private final Reading alaw = new Reading();
    private long pcmAbs;
    private int pcmLow = -1;
    private int bytes;
    private boolean linear = true;

    public LinearPcmCheck(int sampleRate) {
        this.windowBytes = Math.max(2, sampleRate * 2 * WINDOW_MS / 1000);
    }

    /**
     * Takes the bytes of {@code pcm} (position to limit; the buffer is not moved) into account.
     *
     * @return whether the stream looks like linear PCM after them
     */
    public boolean accept(ByteBuffer pcm) {
        for (int i = pcm.position(); i < pcm.limit(); i++) {
            byte b = pcm.get(i);
            ulaw.add(G711.ulawToLinear(b));
            alaw.add(G711.alawToLinear(b));
            if (pcmLow < 0) {
                pcmLow = b & 0xff;
            } else {
                pcmAbs += Math.abs((short) ((b << 8) | pcmLow));
                pcmLow = -1;
            }
            if (++bytes == windowBytes) endWindow();
        }
        return linear;
    }

    /** Whether the last deciding window looked like linear PCM (true before one has). */
    public boolean looksLinear() {
        return linear;
    }

    private void endWindow() {
        if ((double) pcmAbs / (bytes / 2) > SILENT) {
            linear = Math.min(ulaw.smoothness(), alaw.smoothness()) >= SMOOTH;
        }
        ulaw.reset();
        alaw.reset();
        pcmAbs = 0;
        bytes = 0;
    }

    /** Sums of one byte-wise reading of a window. */
    private static final class Reading {
        private long abs;
        private long diff;
        private int last;

        void add(short x) {
            abs += Math.abs(x);
            diff += Math.abs(x - last);
            last = x;
        }

        double smoothness() {
            return abs == 0 ? Double.MAX_VALUE : (double) diff / abs;
        }

        void reset() {
            abs = 0;
            diff = 0;
        }
    }
}
